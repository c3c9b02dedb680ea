import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { connect, ErrorCode, NatsConnection, NatsError, Subscription } from 'nats';
import type { Logger } from 'pino';
import { ChannelLimits, ChannelPoolCommand, channelPoolDecider } from '@pbx/domain-channel';
import { CHANNEL_QUOTA_ERRORS, ErrorBody } from '@pbx/contracts';
import { EventStore } from '@pbx/event-store';
import { LOGGER, Metrics } from '@pbx/service-kit';
import { Config } from '../config';
import { ChannelPoolWriter, NOT_WRITER } from './channel-pool.writer';
import { ChannelPoolPort, Clock, CLOCK, CommandOutcome, POOL_SETTINGS, POOL_WRITER_SUBJECT, PoolSettings, PoolView, WriterReply, WriterRequest, writerRequestSchema } from './channel-pool.port';
import { PoolLimits } from './pool-limits';
import { PoolLock } from './pool-lock';
import { PoolMetrics } from './pool.metrics';

export const EVENT_STORE = Symbol('EVENT_STORE');
export const SERVICE_SETTINGS = Symbol('CHANNEL_QUOTA_CONFIG');

type WriterListener = (writing: boolean) => void;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The pool as the use cases see it (ChannelPoolPort). Every instance answers requests (they
 * share the NATS queue group); exactly one of them — the holder of the pool lock — writes.
 * Commands that reach another instance are forwarded to it on POOL_WRITER_SUBJECT. While no
 * instance writes (a takeover), requests wait up to POOL_WRITER_TIMEOUT_MS.
 *
 * Forwarding has its own NATS connection: without async stack traces on requests (measured:
 * capturing one per forwarded request was ~5% of a follower's CPU), and watched, so that an
 * instance that loses NATS gives the pool up to one that can still be reached.
 */
@Injectable()
export class ChannelPoolService implements ChannelPoolPort, OnApplicationBootstrap, OnModuleDestroy {
  private writer?: ChannelPoolWriter;
  private subscription?: Subscription;
  private readonly lock: PoolLock;
  private readonly log: Logger;
  private readonly listeners: WriterListener[] = [];
  private lastEpoch?: number;
  private nc?: NatsConnection;
  private readonly metrics: PoolMetrics;

  constructor(
    @Inject(SERVICE_SETTINGS) private readonly config: Config,
    @Inject(POOL_SETTINGS) private readonly settings: PoolSettings,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) logger: Logger,
    @Inject(Metrics) metrics: Metrics,
    @Inject(PoolLimits) private readonly limits: PoolLimits,
  ) {
    this.log = logger.child({ component: 'channel-pool' });
    this.metrics = new PoolMetrics(metrics.registry, limits.current);
    limits.onChange((l) => this.limitsChanged(l));
    this.lock = new PoolLock({
      connectionString: config.DATABASE_URL,
      key: `pbx:channel-quota:pool:${settings.serverId}`,
      pollMs: config.POOL_LOCK_POLL_MS,
      logger,
      onAcquired: () => this.becomeWriter(),
      onLost: () => this.stepDown(),
    });
  }

  /** The reaper follows the writer role. */
  onWriterChange(listener: WriterListener): void {
    this.listeners.push(listener);
  }

  get isWriter(): boolean {
    return this.writer !== undefined;
  }

  async onApplicationBootstrap(): Promise<void> {
    const nc = await connect({ servers: this.config.NATS_URL, name: `channel-quota:${this.config.INSTANCE_ID ?? process.pid}:pool`, noAsyncTraces: true, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
    this.nc = nc;
    void this.watch(nc);
    this.lock.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.lock.stop();
    await this.nc?.drain().catch(() => undefined);
    await this.store.close();
  }

  /** The writer must be reachable: while its NATS connection is down it gives the pool up. */
  private async watch(nc: NatsConnection): Promise<void> {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect') {
        this.log.warn('NATS connection lost: giving the pool up');
        await this.lock.pause();
      } else if (s.type === 'reconnect') {
        this.lock.start();
      }
    }
  }

  async execute(commands: readonly ChannelPoolCommand[], correlationId: string): Promise<CommandOutcome[]> {
    const outcomes: (CommandOutcome | undefined)[] = commands.map(() => undefined);
    const deadline = Date.now() + this.config.POOL_WRITER_TIMEOUT_MS;
    for (;;) {
      const todo = commands.map((c, i) => [c, i] as const).filter(([, i]) => outcomes[i] === undefined || isNotWriter(outcomes[i]));
      if (todo.length === 0) return outcomes as CommandOutcome[];
      if (Date.now() > deadline) return outcomes.map((o) => (o === undefined || isNotWriter(o) ? unavailable() : o));
      const got = await this.run({ op: 'execute', correlationId, commands: todo.map(([c]) => c) }, deadline);
      if (got && 'outcomes' in got) todo.forEach(([, i], k) => (outcomes[i] = got.outcomes[k]));
      else await sleep(20);
    }
  }

  async view(): Promise<PoolView> {
    const deadline = Date.now() + this.config.POOL_WRITER_TIMEOUT_MS;
    for (;;) {
      const got = await this.run({ op: 'view' }, deadline);
      if (got && 'view' in got) return got.view;
      if (Date.now() > deadline) throw new UnavailableError();
      await sleep(20);
    }
  }

  /** Runs locally when this instance writes, else asks the writer. Undefined: nobody writes right now. */
  private async run(request: WriterRequest, deadline: number): Promise<WriterReply | undefined> {
    const writer = this.writer;
    if (writer) return serve(writer, request);
    if (!this.nc) return undefined;
    const timeout = Math.max(1, Math.min(deadline - Date.now(), this.config.POOL_FORWARD_ATTEMPT_MS));
    try {
      const msg = await this.nc.request(POOL_WRITER_SUBJECT, Buffer.from(JSON.stringify(request)), { timeout });
      // The writer is this service (same code, same subject): its reply is checked for shape, not re-validated field by field.
      const reply = JSON.parse(Buffer.from(msg.data).toString('utf8')) as WriterReply;
      if ('notWriter' in reply) return undefined;
      if (request.op === 'execute' ? !('outcomes' in reply && reply.outcomes.length === request.commands.length) : !('view' in reply)) {
        throw new Error(`the pool writer answered a reply of the wrong shape to ${request.op}`);
      }
      return reply;
    } catch (e) {
      if (e instanceof NatsError && (e.code === ErrorCode.NoResponders || e.code === ErrorCode.Timeout)) return undefined;
      throw e;
    }
  }

  /**
   * A new provisioning changed the limits (SPEC Q-1). The writer takes them between two batches;
   * leases already held stay (a lowered limit refuses new reserves until usage falls under it).
   */
  private limitsChanged(limits: ChannelLimits): void {
    this.metrics.limits(limits);
    this.writer?.changeLimits(limits);
    this.log.info({ limits, writing: this.writer !== undefined }, 'channel limits changed');
  }

  private async becomeWriter(): Promise<void> {
    // Start from the limits in force even if an apply's message was missed while not writing.
    await this.limits.resync().catch((err: unknown) => this.log.warn({ err }, 'reading the provisioning before writing the pool failed; using the limits in hand'));
    const { serverId } = this.settings;
    const limits = this.limits.current;
    const writer = new ChannelPoolWriter({
      store: this.store,
      decider: channelPoolDecider(limits),
      limits,
      serverId,
      booksEvents: this.config.POOL_BOOKS_EVENTS,
      maxBatch: this.config.POOL_MAX_BATCH,
      clock: this.clock,
      logger: this.log,
      epochHint: this.lastEpoch,
      observer: this.metrics,
    });
    await writer.open();
    this.writer = writer;
    this.metrics.writing(true, writer.state);
    if (!this.nc) throw new Error('no NATS connection to serve the pool on');
    this.subscription = this.nc.subscribe(POOL_WRITER_SUBJECT, {
      queue: 'channel-quota-pool-writer',
      callback: (err, msg) => {
        if (err) return;
        void this.answerForwarded(msg.data).then((reply) => msg.respond(Buffer.from(JSON.stringify(reply))));
      },
    });
    for (const l of this.listeners) l(true);
  }

  private async answerForwarded(data: Uint8Array): Promise<WriterReply> {
    const writer = this.writer;
    if (!writer) return { notWriter: true };
    let request: WriterRequest;
    try {
      request = writerRequestSchema.parse(JSON.parse(Buffer.from(data).toString('utf8')));
    } catch (e) {
      this.log.error({ err: e }, 'unreadable forwarded pool request');
      return { outcomes: [] };
    }
    return serve(writer, request);
  }

  private async stepDown(): Promise<void> {
    const writer = this.writer;
    if (!writer) return;
    this.writer = undefined;
    this.lastEpoch = writer.epoch;
    this.metrics.writing(false);
    for (const l of this.listeners) l(false);
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    await writer.close();
    this.log.info(writer.stats, 'stopped writing the pool');
  }
}

async function serve(writer: ChannelPoolWriter, request: WriterRequest): Promise<WriterReply> {
  if (request.op === 'view') return { view: writer.view() };
  return { outcomes: await Promise.all(request.commands.map((c) => writer.submit(c, request.correlationId))) };
}

const isNotWriter = (o: CommandOutcome | undefined): boolean => o !== undefined && !o.ok && o.error.code === NOT_WRITER;

function unavailable(): CommandOutcome {
  const error: ErrorBody = { code: CHANNEL_QUOTA_ERRORS.unavailable, message: 'no instance holds the channel pool right now; try again' };
  return { ok: false, error };
}

export class UnavailableError extends Error {
  readonly code = CHANNEL_QUOTA_ERRORS.unavailable;
  constructor() {
    super('no instance holds the channel pool right now; try again');
  }
}
