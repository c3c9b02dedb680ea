import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Pool } from 'pg';
import type { Logger } from 'pino';
import { SIP_EDGE_HANGUP, sipEdgeDtmfSubject, sipEdgeHangupRequestSchema } from '@pbx/contracts';
import { createEventStore, EventStore } from '@pbx/event-store';
import { LiveProvisioning, startServiceProvisioning } from '@pbx/provisioning-store';
import { HealthService, LOGGER, Metrics, NatsBus, PG_POOL, SERVICE_CONFIG } from '@pbx/service-kit';
import { createResponse, Peer, ServerTransaction, SipMessage, SipRequest, TransactionLayer } from '@pbx/sip';
import { ALLOW, B2bua } from './calls/b2bua';
import { CallStore } from './calls/call.store';
import { ChannelQuotaClient } from './calls/channel-quota.client';
import { LegRecorder } from './calls/leg-recorder';
import { LocalAddress } from './calls/local-address';
import { newTag } from './calls/sip-ids';
import { Config } from './config';
import { DtmfListener } from './media/dtmf-listener';
import { MediaAnchor } from './media/media-anchor';
import { NgClient } from './media/ng-client';
import { EdgeDirectory } from './provisioning/edge-directory';
import { Authenticator } from './registrar/authenticator';
import { BindingStore } from './registrar/binding.store';
import { Registrar } from './registrar/registrar';
import { guardRequest } from './stack/request-guard';
import { TrunkMonitor } from './trunks/trunk-monitor';
import { registerSipMetrics } from './sip-edge.metrics';
import { SipTransports } from './transport/sip-transports';

/**
 * The SIP stack of one sip-edge instance: transports → transaction layer → registrar or B2BUA.
 * Starts after Nest has wired NATS and PostgreSQL; on SIGTERM drains calls before they close.
 */
@Injectable()
export class SipEdgeService implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  transports!: SipTransports;
  layer!: TransactionLayer;
  b2bua!: B2bua;
  registrar!: Registrar;
  local!: LocalAddress;
  private directory!: EdgeDirectory;
  private live: LiveProvisioning<EdgeDirectory> | undefined;
  private store!: EventStore;
  private ng!: NgClient;
  private quota: ChannelQuotaClient | undefined;
  private trunks!: TrunkMonitor;
  private dtmf: DtmfListener | undefined;
  private bindings!: BindingStore;
  private purgeTimer: NodeJS.Timeout | undefined;
  private hangupSub: { unsubscribe(): void } | undefined;
  private readonly log: Logger;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: Config,
    @Inject(LOGGER) logger: Logger,
    @Inject(PG_POOL) private readonly pool: Pool | null,
    @Inject(NatsBus) private readonly bus: NatsBus,
    @Inject(Metrics) private readonly metrics: Metrics,
    @Inject(HealthService) private readonly health: HealthService,
  ) {
    this.log = logger.child({ component: 'sip' });
  }

  async onApplicationBootstrap(): Promise<void> {
    const c = this.config;
    if (this.pool === null) throw new Error('sip-edge needs DATABASE_URL');
    // The provisioning in force: the file at boot, the stored document when there is one, then
    // every apply (`tools/stack provision FILE`) without a restart (docs/provisioning.md).
    this.live = await startServiceProvisioning({
      file: c.PROVISIONING_FILE,
      databaseUrl: c.DATABASE_URL,
      nats: this.bus.connection,
      project: EdgeDirectory.fromHashed,
      onChange: (dir, applied) => {
        this.directory = dir;
        this.log.info({ version: applied.version }, 'provisioning applied');
      },
      log: this.log,
      versionGauge: { registry: this.metrics.registry, name: 'pbx_sip_edge_provisioning_version', help: 'Stored provisioning version in force (0 = the boot file)' },
    });
    this.directory = this.live.value;
    this.bindings = new BindingStore(this.pool);
    await this.bindings.migrate();
    this.calls = new CallStore(this.pool, c.INSTANCE_ID ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`);
    await this.calls.migrate();
    await this.calls.heartbeat(Date.now());
    this.store = createEventStore({ connectionString: c.DATABASE_URL, poolSize: 10 });
    const [ngHost, ngPort] = c.RTPENGINE_NG.split(':');
    this.ng = new NgClient({ host: ngHost, port: Number(ngPort) });
    const media = new MediaAnchor(this.ng);
    const recorder = new LegRecorder(this.store, {
      onRefused: (legId, command, reason) => this.log.warn({ legId, command, reason }, 'leg command refused'),
      onAppendError: (legId, error) => this.log.error({ legId, err: error.message }, 'leg event append failed'),
    });

    this.transports = new SipTransports({
      bindHost: c.SIP_BIND_HOST,
      udpPort: c.SIP_UDP_PORT,
      tcpPort: c.SIP_TCP_PORT,
      wsPort: c.SIP_WS_PORT,
      onMessage: (m, p) => this.layer.receive(m, p),
      onLog: (event, details) => this.log.warn(details, event),
    });
    this.layer = new TransactionLayer({
      send: (m: SipMessage, p: Peer) => this.transports.send(m, p),
      timers: { T1: c.SIP_T1_MS },
      tu: {
        onRequest: (req, tx, peer) => this.onRequest(req, tx, peer),
        onCancel: (inviteTx) => this.b2bua.onCancel(inviteTx),
      },
    });
    const ports = await this.transports.listen();
    const advertised = c.SIP_ADVERTISED_HOST ?? (c.SIP_BIND_HOST === '0.0.0.0' ? '127.0.0.1' : c.SIP_BIND_HOST);
    this.local = { host: advertised, udpPort: ports.udp, tcpPort: ports.tcp, wsPort: ports.ws };

    if (c.CHANNEL_QUOTA === 'on') {
      this.quota = new ChannelQuotaClient(this.bus, {
        leaseMs: c.CHANNEL_LEASE_MS,
        onReclaimed: (legId) => {
          this.log.warn({ legId }, 'channel lease reclaimed: ending the call');
          void this.b2bua.hangupLeg(legId, 'failed');
        },
        onError: (what, e) => this.log.warn({ what, err: e.message }, 'channel quota request failed'),
      });
      this.quota.start();
    }
    if (c.DTMF_LISTEN_PORT > 0) {
      this.dtmf = new DtmfListener((e) => this.bus.publish(sipEdgeDtmfSubject(e.legId), e));
      await this.dtmf.listen(c.DTMF_LISTEN_PORT);
    }

    const auth = new Authenticator(() => this.directory, { nonceSecret: c.DIGEST_NONCE_SECRET, nonceTtlMs: c.DIGEST_NONCE_TTL_SECONDS * 1000, algorithms: c.DIGEST_ALGORITHMS });
    this.registrar = new Registrar({
      store: this.bindings,
      auth,
      directory: () => this.directory,
      limits: { minExpires: c.REGISTER_MIN_EXPIRES, maxExpires: c.REGISTER_MAX_EXPIRES, defaultExpires: c.REGISTER_MAX_EXPIRES, maxContacts: 10 },
      onError: (e) => this.log.error({ err: e.message }, 'registrar failed'),
    });
    this.auth = auth;
    this.b2bua = new B2bua({
      layer: this.layer,
      local: this.local,
      directory: () => this.directory,
      bindings: this.bindings,
      media,
      recorder,
      quota: this.quota,
      bus: this.bus,
      connectionAlive: (id) => this.transports.hasConnection(id),
      log: (level, event, details) => this.log[level](details, event),
      onDtmfLeg: (callId, tag, legId) => this.dtmf?.track(callId, tag, legId),
      onMediaEnded: (callId) => this.dtmf?.untrackCall(callId),
      maxCallMs: c.MAX_CALL_SECONDS * 1000,
      calls: this.calls,
    });
    this.trunks = new TrunkMonitor({
      layer: this.layer,
      local: this.local,
      domain: () => this.directory.domain,
      trunks: () => this.directory.trunks(),
      onChange: (s, prev) => this.log.info({ trunk: s.id, state: s.state, previous: prev, lastStatus: s.lastStatus }, 'trunk state'),
    });
    this.trunks.start(c.TRUNK_OPTIONS_SECONDS * 1000);
    this.purgeTimer = setInterval(() => void this.bindings.purgeExpired(Date.now()).catch(() => undefined), 60_000);
    this.purgeTimer.unref();
    // Calls of dead instances (and of this instance's previous process): hang up and record them.
    for (const s of await this.calls.claimLeftovers()) void this.b2bua.endForeignCall(s, 'none', 'failed', 'system');
    this.sweepTimer = setInterval(() => void this.sweepOrphans(), 2_000);
    this.sweepTimer.unref();

    // Admin disconnect (SPEC Q-6, C-6): every instance listens, only the one holding the leg answers.
    const sub = this.bus.connection.subscribe(SIP_EDGE_HANGUP, {
      callback: (err, msg) => {
        if (err !== null) return;
        let legId: string;
        try {
          legId = sipEdgeHangupRequestSchema.parse(JSON.parse(Buffer.from(msg.data).toString('utf8'))).legId;
        } catch {
          return;
        }
        void this.b2bua.hangupLeg(legId).then((found) => {
          if (found) msg.respond(Buffer.from(JSON.stringify({ legId, hangup: 'done' })));
        });
      },
    });
    this.hangupSub = sub;

    // Refuse new calls the moment SIGTERM arrives: Nest runs every module's destroy hook before
    // beforeApplicationShutdown, and a new call must not slip in meanwhile.
    process.once('SIGTERM', this.onSigterm);
    this.registerObservability();
    this.log.info({ udp: ports.udp, tcp: ports.tcp, ws: ports.ws, host: this.local.host }, 'SIP listening');
  }

  private auth!: Authenticator;
  private calls!: CallStore;
  private sweepTimer: NodeJS.Timeout | undefined;
  private sweeping = false;

  /** Heartbeat, then take over the answered calls of instances that stopped beating. */
  private async sweepOrphans(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      const now = Date.now();
      await this.calls.heartbeat(now);
      const orphans = await this.calls.claimOrphans(now, this.config.ORPHAN_AFTER_SECONDS * 1000);
      for (const s of orphans) {
        this.log.warn({ requestId: s.requestId }, 'call of a dead instance: hanging it up');
        await this.b2bua.endForeignCall(s, 'none', 'failed', 'system');
      }
      await this.calls.forgetInstances(now, 24 * 3600_000);
    } catch (e) {
      this.log.warn({ err: (e as Error).message }, 'orphan sweep failed');
    } finally {
      this.sweeping = false;
    }
  }
  private readonly onSigterm = (): void => this.b2bua?.refuseNewCalls();

  private onRequest(req: SipRequest, tx: ServerTransaction | undefined, peer: Peer): void {
    const verdict = guardRequest(req);
    if (!verdict.ok) {
      tx?.respond(createResponse(req, verdict.status, verdict.reason, verdict.headers, { toTag: newTag() }));
      return;
    }
    const inDialog = req.to().tag !== undefined;
    if (inDialog) {
      this.b2bua.onInDialog(req, tx, peer);
      return;
    }
    if (tx === undefined) return; // a stray ACK
    switch (req.method) {
      case 'REGISTER':
        void this.registrar.handle(req, tx, peer);
        return;
      case 'OPTIONS':
        tx.respond(createResponse(req, 200, 'OK', { Allow: ALLOW, Accept: 'application/sdp', 'Accept-Language': 'en' }, { toTag: newTag() }));
        return;
      case 'INVITE': {
        if (this.b2bua.isDraining) {
          tx.respond(createResponse(req, 503, 'Service Unavailable - shutting down', { 'Retry-After': '30' }, { toTag: newTag() }));
          return;
        }
        const who = this.auth.identify(req, peer);
        if (!who.ok) {
          tx.respond(createResponse(req, who.status, who.reason, who.headers, { toTag: newTag() }));
          return;
        }
        void this.b2bua.onInvite(req, tx, peer, who.identity);
        return;
      }
      default:
        // BYE, INFO … outside a dialog (§12.2.2)
        tx.respond(createResponse(req, 481, 'Call/Transaction Does Not Exist', undefined, { toTag: newTag() }));
    }
  }

  private registerObservability(): void {
    registerSipMetrics(this.metrics.registry, { b2bua: this.b2bua, transports: this.transports, layer: this.layer, trunks: this.trunks });
    this.health.register('sip', () => {
      if (this.transports.listening.udp === 0) throw new Error('SIP transports not listening');
      if (this.b2bua.isDraining) throw new Error('draining');
    });
    this.health.register('rtpengine', async () => {
      if (!(await this.ng.ping())) throw new Error(`rtpengine NG ${this.config.RTPENGINE_NG} does not answer`);
    });
  }

  async beforeApplicationShutdown(signal?: string): Promise<void> {
    if (this.b2bua === undefined) return;
    const live = this.b2bua.activeCalls;
    this.log.info({ signal, liveCalls: live, drainSeconds: this.config.DRAIN_SECONDS }, 'draining');
    const r = await this.b2bua.drain(this.config.DRAIN_SECONDS * 1000);
    this.log.info({ endedByDeadline: r.endedByDeadline }, 'drained');
  }

  async onApplicationShutdown(): Promise<void> {
    process.off('SIGTERM', this.onSigterm);
    this.hangupSub?.unsubscribe();
    this.trunks?.stop();
    this.quota?.stop();
    if (this.purgeTimer !== undefined) clearInterval(this.purgeTimer);
    if (this.sweepTimer !== undefined) clearInterval(this.sweepTimer);
    this.dtmf?.close();
    this.layer?.close();
    await this.transports?.close();
    this.ng?.close();
    await this.store?.close();
    await this.live?.close();
  }
}
