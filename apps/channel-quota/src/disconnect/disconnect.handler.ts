import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { DomainError } from '@pbx/domain-kernel';
import { CHANNEL_QUOTA_ERRORS, DisconnectLegReply, DisconnectLegRequest, SIP_EDGE_HANGUP, SipEdgeHangupRequest, TRANSPORT_ERRORS } from '@pbx/contracts';
import { LOGGER, NatsBus, RemoteError } from '@pbx/service-kit';
import { z } from 'zod';
import { Config } from '../config';
import { CHANNEL_POOL, ChannelPoolPort } from '../pool/channel-pool.port';
import { SERVICE_SETTINGS } from '../pool/channel-pool.service';
import { legUsage } from '../pool/outcome';

/**
 * cmd.v1.channel-quota.disconnect: a system admin ends a leg from the usage view (SPEC Q-6, C-6).
 * Only sip-edge can end a leg, so this asks it to; the channel comes back with the leg's release
 * (or, should sip-edge have lost the leg, with its lease's expiry).
 */
@Injectable()
export class DisconnectHandler {
  constructor(
    @Inject(CHANNEL_POOL) private readonly pool: ChannelPoolPort,
    @Inject(NatsBus) private readonly bus: NatsBus,
    @Inject(SERVICE_SETTINGS) private readonly config: Config,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async execute(req: DisconnectLegRequest): Promise<DisconnectLegReply> {
    const lease = (await this.pool.view()).leases.find((l) => l.legId === req.legId);
    if (!lease) throw new DomainError(CHANNEL_QUOTA_ERRORS.leaseNotHeld, `leg ${req.legId} holds no channel: nothing to disconnect`, { legId: req.legId });
    const hangup: SipEdgeHangupRequest = { legId: req.legId, reason: 'admin-disconnect' };
    try {
      await this.bus.request(SIP_EDGE_HANGUP, hangup, z.unknown(), { timeoutMs: this.config.HANGUP_TIMEOUT_MS });
    } catch (e) {
      if (e instanceof RemoteError && (e.code === TRANSPORT_ERRORS.noResponders || e.code === TRANSPORT_ERRORS.timeout)) {
        throw new DomainError(CHANNEL_QUOTA_ERRORS.hangupUnavailable, `sip-edge did not take the hang-up of leg ${req.legId}: ${e.message}`, { subject: SIP_EDGE_HANGUP, cause: e.code });
      }
      throw e; // sip-edge's own answer (e.g. it does not know the leg) goes back as it is
    }
    this.logger.info({ legId: req.legId, requestedBy: req.requestedBy }, 'admin disconnect handed to sip-edge');
    return { legId: req.legId, hangup: 'requested', leg: legUsage(lease) };
  }
}
