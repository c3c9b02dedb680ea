import { Client } from 'pg';
import type { Logger } from 'pino';

export interface PoolLockOptions {
  readonly connectionString: string;
  /** Names the lock: one holder per key in the whole database. */
  readonly key: string;
  readonly pollMs: number;
  readonly logger: Logger;
  /** Called once the lock is held; the holder is the pool's writer until `onLost`. */
  onAcquired(): Promise<void>;
  /** The lock is gone (its connection failed or closed), or `stop` was called. */
  onLost(): Promise<void>;
}

const TRY_LOCK = `SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS held`;
const HEARTBEAT_MS = 1_000;

/**
 * Which instance writes the pool (and runs the reaper): the one that holds a PostgreSQL session
 * advisory lock on a dedicated connection. When that process dies, the server ends its session
 * and the lock is free at once; the others poll with pg_try_advisory_lock (a blocked
 * pg_advisory_lock would keep a dead waiter's backend queued until it got the lock). The lock
 * only picks a writer: correctness comes from the pool stream's expected version.
 */
export class PoolLock {
  private client?: Client;
  private stopped = false;
  private paused = false;
  private holding = false;
  private timer?: NodeJS.Timeout;
  private readonly log: Logger;
  private transition: Promise<void> = Promise.resolve();

  constructor(private readonly o: PoolLockOptions) {
    this.log = o.logger.child({ component: 'pool-lock' });
  }

  get held(): boolean {
    return this.holding;
  }

  start(): void {
    this.paused = false;
    this.schedule(0);
  }

  /** Gives the lock up (if held) and stops competing until {@link start} (e.g. while NATS is unreachable). */
  async pause(): Promise<void> {
    this.paused = true;
    clearTimeout(this.timer);
    await this.transition;
    await this.release();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.transition;
    await this.release();
  }

  private schedule(ms: number): void {
    if (this.stopped || this.paused) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), ms);
  }

  private async tick(): Promise<void> {
    try {
      const client = await this.connection();
      if (this.holding) {
        await client.query('SELECT 1'); // a dead connection shows here even when nothing else is said on it
      } else {
        const r = await client.query<{ held: boolean }>(TRY_LOCK, [this.o.key]);
        if (r.rows[0]?.held && !this.stopped && !this.paused) {
          this.holding = true;
          this.log.info({ key: this.o.key }, 'pool lock taken: this instance writes the pool');
          this.transition = this.o.onAcquired().catch(async (e: unknown) => {
            this.log.error({ err: e }, 'taking over the pool failed; giving the lock back');
            await this.release();
          });
          await this.transition;
        }
      }
    } catch (e) {
      this.log.warn({ err: e }, 'pool lock connection failed');
      await this.release();
    }
    this.schedule(this.holding ? HEARTBEAT_MS : this.o.pollMs);
  }

  private async connection(): Promise<Client> {
    if (this.client) return this.client;
    const client = new Client({ connectionString: this.o.connectionString, application_name: 'pbx-channel-quota-lock', keepAlive: true });
    client.on('error', (e) => {
      this.log.warn({ err: e }, 'pool lock connection lost');
      void this.release();
    });
    await client.connect();
    this.client = client;
    return client;
  }

  /** Drops the connection (and with it the lock) and tells the writer first. */
  private async release(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (this.holding) {
      this.holding = false;
      this.log.info({ key: this.o.key }, 'pool lock released');
      await this.o.onLost().catch((e: unknown) => this.log.error({ err: e }, 'stepping down failed'));
    }
    await client?.end().catch(() => undefined);
  }
}
