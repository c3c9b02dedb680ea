import {
  CHANNEL_QUOTA_ERRORS,
  CHANNEL_QUOTA_RELEASE,
  CHANNEL_QUOTA_RENEW,
  CHANNEL_QUOTA_RESERVE,
  releaseChannelReplySchema,
  renewLeasesReplySchema,
  reserveChannelReplySchema,
  ReserveChannelRequest,
} from '@pbx/contracts';
import { NatsBus, RemoteError } from '@pbx/service-kit';

// sip-edge's side of SPEC §3: take a channel when a leg to the outside is created, renew the
// leases of live legs in batches, give the channel back when the leg ends. The quota service
// is the only judge; when it cannot be reached the call is refused, never let through.

export type ReserveOutcome =
  | { granted: true; pool: 'channel' | 'mobile-channel' | 'none' }
  | { granted: false; why: 'exceeded'; pool: string; limit: number }
  | { granted: false; why: 'unavailable'; error: string };

export interface ChannelQuotaOptions {
  leaseMs: number;
  /** How often leases are renewed (a third of the lease by default). */
  renewEveryMs?: number;
  timeoutMs?: number;
  /** A leg whose lease was reclaimed (renew said notHeld): its owner should end it. */
  onReclaimed(legId: string): void;
  onError?(what: string, error: Error): void;
}

export class ChannelQuotaClient {
  private readonly held = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private renewing = false;

  constructor(
    private readonly bus: NatsBus,
    private readonly options: ChannelQuotaOptions,
  ) {}

  start(): void {
    const every = this.options.renewEveryMs ?? Math.floor(this.options.leaseMs / 3);
    this.timer = setInterval(() => void this.renewAll(), every);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  async reserve(request: Omit<ReserveChannelRequest, 'leaseMs'>, correlationId: string): Promise<ReserveOutcome> {
    try {
      const r = await this.bus.request(CHANNEL_QUOTA_RESERVE, { ...request, leaseMs: this.options.leaseMs }, reserveChannelReplySchema, {
        timeoutMs: this.options.timeoutMs ?? 2_000,
        correlationId,
      });
      if (r.pool !== 'none') this.held.add(request.legId);
      return { granted: true, pool: r.pool };
    } catch (e) {
      if (e instanceof RemoteError && e.code === CHANNEL_QUOTA_ERRORS.exceeded) {
        const pool = e.details?.['pool'];
        const limit = e.details?.['limit'];
        return { granted: false, why: 'exceeded', pool: typeof pool === 'string' ? pool : 'channel', limit: typeof limit === 'number' ? limit : -1 };
      }
      this.options.onError?.('reserve', e as Error);
      return { granted: false, why: 'unavailable', error: (e as Error).message };
    }
  }

  /** Gives the leg's channel back; a leg that holds none is a no-op. Never throws. */
  async release(legId: string, reason: string, correlationId?: string): Promise<void> {
    if (!this.held.delete(legId)) return;
    await this.releaseForeign(legId, reason, correlationId);
  }

  /** Releases a leg without local bookkeeping: one another instance held (a call taken over). Never throws. */
  async releaseForeign(legId: string, reason: string, correlationId?: string): Promise<void> {
    try {
      await this.bus.request(CHANNEL_QUOTA_RELEASE, { legId, reason }, releaseChannelReplySchema, { timeoutMs: this.options.timeoutMs ?? 2_000, correlationId });
    } catch (e) {
      // the lease will expire and be reclaimed: nothing leaks
      this.options.onError?.('release', e as Error);
    }
  }

  async renewAll(): Promise<void> {
    if (this.renewing || this.held.size === 0) return;
    this.renewing = true;
    try {
      const ids = [...this.held];
      for (let i = 0; i < ids.length; i += 1000) {
        const legIds = ids.slice(i, i + 1000);
        const r = await this.bus.request(CHANNEL_QUOTA_RENEW, { legIds, leaseMs: this.options.leaseMs }, renewLeasesReplySchema, { timeoutMs: this.options.timeoutMs ?? 2_000 });
        for (const legId of r.notHeld) {
          if (this.held.delete(legId)) this.options.onReclaimed(legId);
        }
      }
    } catch (e) {
      this.options.onError?.('renew', e as Error);
    } finally {
      this.renewing = false;
    }
  }
}
