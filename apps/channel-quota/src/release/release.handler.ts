import { Inject, Injectable } from '@nestjs/common';
import { releaseChannelRequestSchema, ReleaseChannelReply } from '@pbx/contracts';
import { currentCorrelationId } from '@pbx/service-kit';
import { z } from 'zod';
import { CHANNEL_POOL, ChannelPoolPort, Clock, CLOCK } from '../pool/channel-pool.port';
import { unwrap } from '../pool/outcome';

/** cmd.v1.channel-quota.release: the leg ended; its channel is free again (SPEC Q-4). */
@Injectable()
export class ReleaseHandler {
  constructor(
    @Inject(CHANNEL_POOL) private readonly pool: ChannelPoolPort,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(req: z.output<typeof releaseChannelRequestSchema>): Promise<ReleaseChannelReply> {
    const [outcome] = await this.pool.execute([{ type: 'ReleaseChannel', legId: req.legId, reason: req.reason, now: this.clock() }], currentCorrelationId() ?? req.legId);
    const { emitted, before } = unwrap(outcome);
    const released = emitted.includes('ChannelReleased');
    return { legId: req.legId, released, pool: released && before ? before.pool : null };
  }
}
