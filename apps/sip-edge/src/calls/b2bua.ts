import { DIALPLAN_ROUTE, routeReplySchema } from '@pbx/contracts';
import type { RouteDecision, RingTarget } from '@pbx/domain-dialplan';
import type { EndCause, FarEnd, HungUpBy } from '@pbx/domain-call-leg';
import {
  createInDialogRequest,
  createRequest,
  createResponse,
  dialogFromUac,
  dialogFromUas,
  newBranch,
  parseUri,
  Peer,
  reasonPhrase,
  receiveInDialogRequest,
  ServerTransaction,
  SipRequest,
  SipResponse,
  TransactionLayer,
  TransportProtocol,
} from '@pbx/sip';
import { NatsBus } from '@pbx/service-kit';
import { CallerIdentity } from '../registrar/authenticator';
import { BindingStore } from '../registrar/binding.store';
import { Binding } from '../registrar/registrar.rules';
import { EdgeDirectory } from '../provisioning/edge-directory';
import { MediaAnchor, MediaProfile } from '../media/media-anchor';
import { isHoldOffer, isWebRtcSdp } from '../media/sdp';
import { CallSnapshot, CallStore } from './call.store';
import { ChannelQuotaClient } from './channel-quota.client';
import { bestFailure, causeOfStatus } from './end-cause';
import { LegRecorder } from './leg-recorder';
import { contactFor, LocalAddress, viaFor, viaSentBy } from './local-address';
import { ALeg, BLeg, Call, DialogRef, dialogKey, rtpCallId } from './call.model';
import { dialNumber, logNumber, userOf } from './party-numbers';
import { newCallId, newLegId, newRequestId, newTag } from './sip-ids';

// The B2BUA (ARCHITECTURE.md "SIP"): every call is two or more dialogs that sip-edge owns, an
// a-leg towards the caller and one b-leg per phone it rings, with media anchored in rtpengine.
// The dialplan says where a call goes; the channel quota says whether it may (SPEC §3); every
// step of every leg is an event (SPEC H-1), and "answered" is committed before the caller
// hears the 200 OK.

export const ALLOW = 'INVITE, ACK, BYE, CANCEL, OPTIONS, INFO';

export interface B2buaDeps {
  layer: TransactionLayer;
  local: LocalAddress;
  directory: () => EdgeDirectory;
  bindings: BindingStore;
  media: MediaAnchor;
  recorder: LegRecorder;
  quota: ChannelQuotaClient | undefined;
  bus: NatsBus;
  /** Is a stream connection (TCP/WS) still open? Bindings on a dead connection cannot be rung. */
  connectionAlive(connectionId: string): boolean;
  now?: () => number;
  log(level: 'info' | 'warn' | 'error', event: string, details: Record<string, unknown>): void;
  onDtmfLeg?(rtpCallId: string, tag: string, legId: string): void;
  /** An answered call is hung up after this long, so a call whose ends both forgot it cannot hold a dialog and a channel for ever (no session timers yet). */
  maxCallMs?: number;
  /** Answered calls kept in PostgreSQL so another instance can end them if this one dies. */
  calls?: CallStore;
  /** The call's media is gone: forget what was keyed by its rtpengine call id. */
  onMediaEnded?(rtpCallId: string): void;
}

export interface B2buaStats {
  started: number;
  answered: number;
  failed: number;
}

export class B2bua {
  readonly stats: B2buaStats = { started: 0, answered: 0, failed: 0 };
  private readonly calls = new Set<Call>();
  private readonly byInviteTx = new Map<ServerTransaction, Call>();
  private readonly dialogs = new Map<string, DialogRef>();
  private readonly byLeg = new Map<string, Call>();
  private draining = false;
  private drainWaiters: Array<() => void> = [];

  constructor(private readonly deps: B2buaDeps) {}

  get activeCalls(): number {
    return this.calls.size;
  }

  get isDraining(): boolean {
    return this.draining;
  }

  // ------------------------------------------------------------------ new calls

  async onInvite(invite: SipRequest, tx: ServerTransaction, peer: Peer, identity: CallerIdentity): Promise<void> {
    if (this.draining) {
      tx.respond(createResponse(invite, 503, 'Service Unavailable - shutting down', { 'Retry-After': '30' }, { toTag: newTag() }));
      return;
    }
    const dir = this.deps.directory();
    const sdp = invite.body.toString('utf8');
    const a: ALeg = {
      legId: newLegId(),
      invite,
      tx,
      peer,
      localTag: newTag(),
      fromTag: invite.from().tag ?? newTag(),
      // what the caller offered decides: a browser's DTLS-SRTP, or plain RTP (also over WebSocket)
      profile: isWebRtcSdp(sdp) ? 'webrtc' : 'rtp',
      dialog: undefined,
      sentRinging: false,
      sentEarlyMedia: false,
      holdsChannel: false,
    };
    const call: Call = { requestId: newRequestId(), phase: 'routing', a, bLegs: [], winner: undefined, ringTimer: undefined, maxTimer: undefined, reinvite: false, lateOffer: invite.body.length === 0, startedAt: this.now() };
    this.calls.add(call);
    this.byInviteTx.set(tx, call);
    this.byLeg.set(a.legId, call);
    this.stats.started++;
    tx.onTerminated = () => this.byInviteTx.delete(tx);

    const dialed = userOf(invite.uri) ?? '';
    const callerNumber = identity.kind === 'extension' ? identity.number : (userOf(invite.from().uri) ?? 'anonymous');
    const aFarEnd: FarEnd =
      identity.kind === 'extension' ? { kind: 'extension', number: identity.number } : { kind: 'trunk', number: logNumber(callerNumber), trunkId: identity.trunk.id, did: logNumber(dialed) };
    void this.deps.recorder.record(
      {
        type: 'CreateLeg',
        legId: a.legId,
        callId: call.requestId,
        requestId: call.requestId,
        direction: 'inbound',
        side: 'a-leg',
        farEnd: aFarEnd,
        presentedCaller: logNumber(callerNumber),
        callee: logNumber(dialed),
        at: this.iso(),
      },
      call.requestId,
    );

    try {
      // SPEC Q-2: a trunk leg holds a channel from its creation. The reservation and the route
      // are asked for at once (two NATS round trips in parallel, not in a row).
      const callerNo = dialNumber(callerNumber);
      const dialedNo = dialNumber(dialed);
      const routing = this.route(
        dialed,
        identity.kind === 'extension' ? { kind: 'extension', extension: identity.number } : { kind: 'trunk', trunkId: identity.trunk.id, ...(callerNo !== undefined ? { callerNumber: callerNo } : {}) },
        call,
      );
      routing.catch(() => undefined);
      let overLimit = false;
      if (identity.kind === 'trunk' && this.deps.quota !== undefined) {
        const r = await this.deps.quota.reserve(
          {
            legId: a.legId,
            callId: call.requestId,
            requestId: call.requestId,
            direction: 'inbound',
            farEnd: { kind: 'trunk', trunkId: identity.trunk.id, ...(callerNo !== undefined ? { number: callerNo } : {}) },
            ...(dialedNo !== undefined ? { localParty: dialedNo } : {}),
          },
          call.requestId,
        );
        if (r.granted) {
          a.holdsChannel = r.pool !== 'none';
          if (call.phase !== 'routing') {
            // the caller gave up while the channel was being granted: the call is already over
            // (finish() ran before we held anything), so give it back here (SPEC Q-4: no leak)
            if (a.holdsChannel) await this.deps.quota.release(a.legId, 'cancelled', call.requestId);
            a.holdsChannel = false;
            return;
          }
        } else if (r.why === 'unavailable') return this.failCall(call, 503, 'Service Unavailable - channel quota unavailable', 'failed');
        else if (dir.overLimitForward === null) {
          // SPEC Q-5: no overLimitForward → 486 with a Reason naming the limit
          return this.failCall(call, 486, 'Busy Here', 'over-channel-limit', 'system', {
            Reason: `SIP;cause=486;text="channel limit reached (channelLimit=${r.limit})"`,
          });
        } else overLimit = true; // SPEC Q-5: forwarded to overLimitForward (F-7 presentation)
      }
      const route = overLimit ? await this.route(dir.overLimitForward ?? '', { kind: 'extension', extension: dir.overLimitForward ?? '' }, call, callerNumber) : await routing;
      if (call.phase !== 'routing') return; // cancelled while routing
      await this.connect(call, route, callerNumber, overLimit);
    } catch (e) {
      this.deps.log('error', 'call-setup-failed', { requestId: call.requestId, error: (e as Error).message, stack: (e as Error).stack });
      if (call.phase === 'routing' || call.phase === 'ringing') this.failCall(call, 500, 'Server Internal Error', 'failed');
    }
  }

  private async route(dialed: string, caller: { kind: 'extension'; extension: string } | { kind: 'trunk'; trunkId: string; callerNumber?: string }, call: Call, presentedCaller?: string): Promise<RouteDecision> {
    const reply = await this.deps.bus.request(
      DIALPLAN_ROUTE,
      { dialed, caller, ...(presentedCaller !== undefined && dialNumber(presentedCaller) !== undefined ? { context: { presentedCaller: dialNumber(presentedCaller) } } : {}) },
      routeReplySchema,
      { timeoutMs: 2_000, correlationId: call.requestId },
    );
    return reply.route;
  }

  private async connect(call: Call, route: RouteDecision, callerNumber: string, forwarded: boolean): Promise<void> {
    const dir = this.deps.directory();
    switch (route.kind) {
      case 'rejected':
        return this.failCall(call, route.status, `${reasonOf(route.status)} - ${route.reason}`, 'rejected');
      case 'extension':
      case 'group': {
        const members: RingTarget[] = route.kind === 'extension' ? [route] : route.members;
        const phones = members.filter((m) => m.endpointKind === 'softphone' || m.endpointKind === 'hardphone');
        const bindings = await this.deps.bindings.bindingsOf(
          phones.map((m) => m.number),
          this.now(),
        );
        const targets: Array<{ member: RingTarget; binding: Binding }> = [];
        for (const m of phones) {
          for (const b of bindings.get(m.number) ?? []) {
            const reachable = this.reachable(b);
            if (reachable !== undefined) targets.push({ member: m, binding: reachable });
          }
        }
        if (targets.length === 0) {
          // mobile legs come with mobile-fmc (a later issue): say so rather than "nobody registered"
          const onlyMobiles = phones.length === 0 && members.length > 0;
          return this.failCall(call, 480, onlyMobiles ? 'Temporarily Unavailable - mobile calls are not available yet' : 'Temporarily Unavailable - nobody registered', onlyMobiles ? 'failed' : 'no-answer');
        }
        if (phones.length < members.length) this.deps.log('info', 'mobile-members-skipped', { requestId: call.requestId, skipped: members.length - phones.length });
        const offers = await this.offers(call, targets.map((t) => profileOf(t.binding)));
        if (call.phase !== 'routing') {
          // cancelled while rtpengine answered: finish() deleted the media before the offer made it
          await this.deps.media.delete(rtpCallId(call));
          return;
        }
        call.phase = 'ringing';
        for (const t of targets) {
          const profile = profileOf(t.binding);
          this.startBLeg(call, {
            number: t.member.number,
            requestUri: t.binding.contact,
            peer: t.binding.peer,
            profile,
            sdp: offers.get(profile) ?? '',
            from: forwarded ? callerNumber : t.member.presentation,
            to: t.member.number,
            farEnd: { kind: 'extension', number: t.member.number },
            channel: false,
          });
        }
        this.armRingTimer(call, dir.ringTimeoutMs);
        return;
      }
      case 'external': {
        const trunk = dir.trunk(route.trunkId);
        if (trunk === undefined) return this.failCall(call, 503, 'Service Unavailable - no trunk', 'failed');
        const legId = newLegId();
        if (this.deps.quota !== undefined) {
          const r = await this.deps.quota.reserve(
            { legId, callId: call.requestId, requestId: call.requestId, direction: 'outbound', farEnd: { kind: 'trunk', trunkId: trunk.id, number: route.number }, ...(dialNumber(callerNumber) !== undefined ? { localParty: dialNumber(callerNumber) } : {}) },
            call.requestId,
          );
          // SPEC Q-5: an outbound leg over the limit fails with 503 to the caller
          if (!r.granted) return this.failCall(call, 503, r.why === 'exceeded' ? `Service Unavailable - channel limit reached (channelLimit=${r.limit})` : 'Service Unavailable - channel quota unavailable', r.why === 'exceeded' ? 'over-channel-limit' : 'failed');
        }
        const offers = await this.offers(call, ['rtp']);
        if (call.phase !== 'routing') {
          await this.deps.quota?.release(legId, 'cancelled', call.requestId);
          await this.deps.media.delete(rtpCallId(call));
          return;
        }
        call.phase = 'ringing';
        this.startBLeg(call, {
          legId,
          number: route.number,
          requestUri: `sip:${route.number}@${trunk.host}:${trunk.port}${trunk.transport === 'tcp' ? ';transport=tcp' : ''}`,
          peer: { protocol: trunk.transport, address: trunk.host, port: trunk.port },
          profile: 'rtp',
          sdp: offers.get('rtp') ?? '',
          from: route.presentedNumber,
          to: route.number,
          farEnd: { kind: 'external', number: route.number, trunkId: trunk.id },
          channel: this.deps.quota !== undefined,
        });
        // ringTimeoutSeconds is for our phones; a carrier runs its own no-answer timer, so ours
        // only guards against a trunk that never answers at all
        this.armRingTimer(call, Math.max(dir.ringTimeoutMs, 60_000));
        return;
      }
      default:
        // call centers, IVR, pickup, park and federation are other services' (later issues)
        return this.failCall(call, 480, `Temporarily Unavailable - ${route.kind} calls are not available yet`, 'failed');
    }
  }

  /**
   * Where a binding can be rung. Over UDP and over a live TCP/WS connection: where the REGISTER
   * came from. When its TCP connection is gone, a new one to the Contact's address (RFC 3261
   * §18.1.1); a browser behind a closed WebSocket cannot be reached (RFC 7118 §5.3).
   */
  private reachable(b: Binding): Binding | undefined {
    const id = b.peer.connectionId;
    if (id === undefined || this.deps.connectionAlive(id)) return b;
    if (b.peer.protocol !== 'tcp') return undefined;
    try {
      const uri = parseUri(b.contact);
      if (uri.kind !== 'sip') return undefined;
      return { ...b, peer: { protocol: 'tcp', address: uri.host.replace(/^\[|\]$/g, ''), port: uri.port ?? 5060 } };
    } catch {
      return undefined;
    }
  }

  private async offers(call: Call, profiles: MediaProfile[]): Promise<Map<MediaProfile, string>> {
    const out = new Map<MediaProfile, string>();
    if (call.lateOffer) return out; // the callees make the offer, in their 2xx
    const sdp = call.a.invite.body.toString('utf8');
    for (const p of new Set(profiles)) {
      out.set(p, await this.deps.media.offer({ callId: rtpCallId(call), fromTag: call.a.fromTag, sdp, toProfile: p, label: 'caller' }));
    }
    return out;
  }

  private startBLeg(
    call: Call,
    t: { legId?: string; number: string; requestUri: string; peer: Peer; profile: MediaProfile; sdp: string; from: string; to: string; farEnd: FarEnd; channel: boolean },
  ): void {
    const { local } = this.deps;
    const dir = this.deps.directory();
    const protocol = t.peer.protocol;
    const via = viaFor(local, protocol);
    const callId = newCallId(local.host);
    const localTag = newTag();
    const invite = createRequest({
      method: 'INVITE',
      uri: t.requestUri,
      headers: [
        ['Via', via.value],
        ['Max-Forwards', String(Math.max(0, call.a.invite.maxForwards() - 1))],
        ['From', `<sip:${t.from}@${dir.domain}>;tag=${localTag}`],
        ['To', `<sip:${t.to}@${dir.domain}>`],
        ['Call-ID', callId],
        ['CSeq', '1 INVITE'],
        ['Contact', contactFor(local, protocol)],
        ['Allow', ALLOW],
        ['User-Agent', 'pbx-sip-edge'],
        ...(t.sdp === '' ? [] : [['Content-Type', 'application/sdp'] as [string, string]]),
      ],
      ...(t.sdp === '' ? {} : { body: t.sdp }),
    });
    const b: BLeg = {
      legId: t.legId ?? newLegId(),
      number: t.number,
      peer: t.peer,
      profile: t.profile,
      callId,
      localTag,
      invite,
      tx: undefined,
      state: 'calling',
      dialog: undefined,
      ack: undefined,
      finalStatus: undefined,
      holdsChannel: t.channel,
      ended: false,
    };
    call.bLegs.push(b);
    this.byLeg.set(b.legId, call);
    this.dialogs.set(dialogKey(callId, localTag), { call, side: b });
    void this.deps.recorder.record({
      type: 'CreateLeg',
      legId: b.legId,
      callId: call.requestId,
      requestId: call.requestId,
      direction: 'outbound',
      side: 'b-leg',
      farEnd: t.farEnd,
      presentedCaller: logNumber(t.from),
      callee: logNumber(t.number),
      at: this.iso(),
    });
    b.tx = this.deps.layer.sendRequest(invite, t.peer, {
      onResponse: (res) => void this.onBLegResponse(call, b, res).catch((e: Error) => this.deps.log('error', 'b-leg-response-failed', { requestId: call.requestId, error: e.message, stack: e.stack })),
      onTimeout: () => void this.onBLegFinal(call, b, 408),
      onTransportError: () => void this.onBLegFinal(call, b, 503),
    });
  }

  // ------------------------------------------------------------------ b-leg responses

  private async onBLegResponse(call: Call, b: BLeg, res: SipResponse): Promise<void> {
    const status = res.status;
    if (status < 200) {
      if (status === 100 || b.state === 'failed' || b.state === 'cancelling' || call.phase !== 'ringing') return;
      // with a late offer an 18x SDP would be the callee's offer: the caller hears ringing instead
      const early = res.body.length > 0 && !call.lateOffer;
      if (early && !call.a.sentEarlyMedia) {
        // 183 Session Progress with SDP: the caller hears the callee's early media
        const sdp = await this.deps.media.answer({ callId: rtpCallId(call), fromTag: call.a.fromTag, toTag: b.localTag, sdp: res.body.toString('utf8'), toProfile: call.a.profile });
        if (call.phase !== 'ringing') return;
        call.a.sentEarlyMedia = true;
        b.state = 'early';
        void this.deps.recorder.record({ type: 'MarkEarlyMedia', legId: b.legId, at: this.iso() });
        void this.deps.recorder.record({ type: 'MarkEarlyMedia', legId: call.a.legId, at: this.iso() });
        this.respondA(call, 183, 'Session Progress', { Contact: contactFor(this.deps.local, call.a.peer.protocol), 'Content-Type': 'application/sdp' }, sdp);
        return;
      }
      if (b.state === 'calling') {
        b.state = 'ringing';
        void this.deps.recorder.record({ type: 'MarkRinging', legId: b.legId, at: this.iso() });
      }
      if (!call.a.sentRinging && !call.a.sentEarlyMedia) {
        call.a.sentRinging = true;
        void this.deps.recorder.record({ type: 'MarkRinging', legId: call.a.legId, at: this.iso() });
        this.respondA(call, 180, 'Ringing', { Contact: contactFor(this.deps.local, call.a.peer.protocol) });
      }
      return;
    }
    if (status >= 300) return this.onBLegFinal(call, b, status);

    // 2xx
    if (b.dialog !== undefined) {
      // a retransmitted 2xx: our ACK was lost (RFC 6026 Accepted state)
      const ack = b.ack;
      if (ack !== undefined) this.deps.layer.sendStateless(ack, b.peer);
      return;
    }
    b.dialog = dialogFromUac(b.invite, res);
    const winning = call.phase === 'ringing' && call.winner === undefined;
    // Late offer (RFC 3261 §13.2.2.4): this 2xx carries the callee's offer and our ACK must carry
    // the answer, which only the caller's ACK gives us: the winner's ACK waits for it.
    if (!call.lateOffer || !winning) this.ackB(b);
    if (!winning) {
      // another fork answered first, or the caller gave up: this one is hung up at once
      b.state = 'answered';
      this.byeB(b);
      await this.endB(call, b, 'cancelled', null, 'system');
      return;
    }
    call.winner = b;
    b.state = 'answered';
    call.phase = 'answered';
    this.clearRingTimer(call);
    for (const other of call.bLegs) if (other !== b) this.cancelB(call, other, 'cancelled', 'system', 'SIP;cause=200;text="Call completed elsewhere"');

    let answerSdp: string;
    try {
      answerSdp = call.lateOffer
        ? await this.deps.media.offer({ callId: rtpCallId(call), fromTag: b.localTag, sdp: res.body.toString('utf8'), toProfile: call.a.profile, label: 'callee' })
        : await this.deps.media.answer({ callId: rtpCallId(call), fromTag: call.a.fromTag, toTag: b.localTag, sdp: res.body.toString('utf8'), toProfile: call.a.profile });
    } catch (e) {
      this.deps.log('error', 'media-answer-failed', { requestId: call.requestId, error: (e as Error).message });
      this.byeB(b);
      await this.endB(call, b, 'failed', null, 'system');
      return this.failCall(call, 500, 'Server Internal Error - media', 'failed');
    }
    // SPEC H-1: the answered events are committed before the caller hears the 200 OK
    try {
      const at = this.iso();
      const recorded = await Promise.all([
        this.deps.recorder.record({ type: 'AnswerLeg', legId: call.a.legId, at }),
        this.deps.recorder.record({ type: 'AnswerLeg', legId: b.legId, at }),
      ]);
      if (recorded.some((events) => events.length === 0)) throw new Error('the leg decider refused LegAnswered');
    } catch (e) {
      this.deps.log('error', 'answer-not-recorded', { requestId: call.requestId, error: (e as Error).message });
      this.byeB(b);
      await this.endB(call, b, 'failed', null, 'system');
      return this.failCall(call, 500, 'Server Internal Error - the call could not be recorded', 'failed');
    }
    if (call.phase !== 'answered') return; // the caller cancelled meanwhile (handled there)
    const contact = contactFor(this.deps.local, call.a.peer.protocol);
    const ok = this.respondA(call, 200, 'OK', { Contact: contact, Allow: ALLOW, 'Content-Type': 'application/sdp' }, answerSdp);
    call.a.dialog = dialogFromUas(call.a.invite, ok, contact.slice(1, -1)); // the URI inside <…>
    this.dialogs.set(dialogKey(call.a.invite.callId(), call.a.localTag), { call, side: 'a' });
    this.keepSnapshot(call);
    call.a.tx.onAckTimeout = () => {
      this.deps.log('warn', 'ack-timeout', { requestId: call.requestId });
      void this.hangup(call, 'a', 'failed', 'system');
    };
    if (call.lateOffer) call.a.tx.onAck = (ack) => void this.completeLateOffer(call, b, ack);
    this.stats.answered++;
    if (this.deps.maxCallMs !== undefined) {
      call.maxTimer = setTimeout(() => {
        this.deps.log('warn', 'max-call-duration', { requestId: call.requestId, maxCallMs: this.deps.maxCallMs });
        void this.hangup(call, 'both', 'normal', 'system');
      }, this.deps.maxCallMs);
      call.maxTimer.unref();
    }
    const at = this.iso();
    void this.deps.recorder.record({ type: 'BridgeLegs', legId: call.a.legId, otherLegId: b.legId, at });
    void this.deps.recorder.record({ type: 'BridgeLegs', legId: b.legId, otherLegId: call.a.legId, at });
    this.deps.onDtmfLeg?.(rtpCallId(call), call.a.fromTag, call.a.legId);
    this.deps.onDtmfLeg?.(rtpCallId(call), b.localTag, b.legId);
  }

  /** ACK for a callee's 2xx; with a late offer it carries our answer (RFC 3264 §5). */
  private ackB(b: BLeg, answerSdp?: string): void {
    if (b.dialog === undefined) return;
    const ack = createInDialogRequest(b.dialog, 'ACK', {
      via: viaSentBy(this.deps.local, b.peer.protocol),
      branch: newBranch(),
      cseq: b.invite.cseq().seq,
      ...(answerSdp !== undefined ? { body: answerSdp, contentType: 'application/sdp' } : {}),
    }).request;
    b.ack = ack;
    this.deps.layer.sendStateless(ack, b.peer);
  }

  /** The caller's ACK to a late-offer call brings the answer: through rtpengine, then in our ACK to the callee. */
  private async completeLateOffer(call: Call, b: BLeg, ack: SipRequest): Promise<void> {
    if (ack.body.length === 0) {
      this.deps.log('warn', 'late-offer-ack-without-answer', { requestId: call.requestId });
      this.ackB(b);
      await this.hangup(call, 'both', 'failed', 'system');
      return;
    }
    try {
      const answer = await this.deps.media.answer({ callId: rtpCallId(call), fromTag: b.localTag, toTag: call.a.fromTag, sdp: ack.body.toString('utf8'), toProfile: b.profile });
      this.ackB(b, answer);
    } catch (e) {
      this.deps.log('error', 'media-answer-failed', { requestId: call.requestId, error: (e as Error).message });
      this.ackB(b);
      await this.hangup(call, 'both', 'failed', 'system');
    }
  }

  private async onBLegFinal(call: Call, b: BLeg, status: number): Promise<void> {
    if (b.ended || b.finalStatus !== undefined) return;
    b.finalStatus = status;
    const wasCancelling = b.state === 'cancelling';
    b.state = 'failed';
    if (!wasCancelling) await this.endB(call, b, causeOfStatus(status), status, status === 408 ? 'system' : 'callee');
    if (call.phase !== 'ringing') return;
    if (call.bLegs.every((x) => x.state === 'failed')) {
      const best = bestFailure(call.bLegs.map((x) => x.finalStatus ?? 480));
      this.failCall(call, best, undefined, causeOfStatus(best), 'callee');
    }
  }

  // ------------------------------------------------------------------ caller side

  /** CANCEL from the caller (the layer already answered it 200, §9.2). */
  onCancel(inviteTx: ServerTransaction): void {
    const call = this.byInviteTx.get(inviteTx);
    if (call === undefined || (call.phase !== 'routing' && call.phase !== 'ringing')) return;
    this.failCall(call, 487, 'Request Terminated', 'cancelled', 'caller');
  }

  /** Requests inside a dialog (To tag present): BYE, re-INVITE, INFO, OPTIONS, ACK. */
  onInDialog(request: SipRequest, tx: ServerTransaction | undefined, peer: Peer): void {
    const tag = request.to().tag ?? '';
    const ref = this.dialogs.get(dialogKey(request.callId(), tag));
    if (request.method === 'ACK') return; // ACKs for our 2xx are matched by the transaction layer
    if (tx === undefined) return;
    if (ref === undefined) {
      if (request.method === 'BYE' && this.deps.calls !== undefined) {
        void this.takeOverBye(request, tx, dialogKey(request.callId(), tag));
        return;
      }
      tx.respond(createResponse(request, 481, 'Call/Transaction Does Not Exist'));
      return;
    }
    const { call, side } = ref;
    const dialog = side === 'a' ? call.a.dialog : side.dialog;
    if (dialog !== undefined) {
      const checked = receiveInDialogRequest(dialog, request);
      if (!checked.ok) {
        tx.respond(createResponse(request, checked.status, checked.reason));
        return;
      }
      if (side === 'a') call.a.dialog = checked.dialog;
      else side.dialog = checked.dialog;
    }
    switch (request.method) {
      case 'BYE':
        tx.respond(createResponse(request, 200, 'OK'));
        void this.hangup(call, side, 'normal', side === 'a' ? 'caller' : 'callee');
        return;
      case 'INVITE':
        void this.relayReinvite(call, side, request, tx, peer).catch((e: Error) => {
          this.deps.log('error', 'reinvite-failed', { requestId: call.requestId, error: e.message });
          if (tx.finalStatus === undefined) tx.respond(createResponse(request, 500, 'Server Internal Error'));
        });
        return;
      case 'INFO':
      case 'OPTIONS':
        tx.respond(createResponse(request, 200, 'OK', { Allow: ALLOW }));
        return;
      default:
        tx.respond(createResponse(request, 501, 'Not Implemented', { Allow: ALLOW }));
    }
  }

  /** A re-INVITE (hold, resume, media change) is passed to the other leg through rtpengine. */
  private async relayReinvite(call: Call, side: 'a' | BLeg, request: SipRequest, tx: ServerTransaction, _peer: Peer): Promise<void> {
    const b = call.winner;
    if (call.phase !== 'answered' || b === undefined || (side !== 'a' && side !== b)) {
      tx.respond(createResponse(request, 481, 'Call/Transaction Does Not Exist'));
      return;
    }
    if (call.reinvite) {
      tx.respond(createResponse(request, 491, 'Request Pending'));
      return;
    }
    if (request.body.length === 0) {
      tx.respond(createResponse(request, 488, 'Not Acceptable Here - re-INVITE without SDP is not supported'));
      return;
    }
    call.reinvite = true;
    try {
      const fromA = side === 'a';
      const fromTag = fromA ? call.a.fromTag : b.localTag;
      const toTag = fromA ? b.localTag : call.a.fromTag;
      const otherProfile = fromA ? b.profile : call.a.profile;
      const ownProfile = fromA ? call.a.profile : b.profile;
      const offerSdp = request.body.toString('utf8');
      const hold = isHoldOffer(offerSdp);
      const sdp = await this.deps.media.offer({ callId: rtpCallId(call), fromTag, sdp: offerSdp, toProfile: otherProfile });
      const otherDialog = fromA ? b.dialog : call.a.dialog;
      const otherPeer = fromA ? b.peer : call.a.peer;
      if (otherDialog === undefined) throw new Error('other leg has no dialog');
      const built = createInDialogRequest(otherDialog, 'INVITE', {
        via: viaSentBy(this.deps.local, otherPeer.protocol),
        branch: newBranch(),
        body: sdp,
        contentType: 'application/sdp',
        headers: { Contact: contactFor(this.deps.local, otherPeer.protocol), Allow: ALLOW },
      });
      if (fromA) b.dialog = built.dialog;
      else call.a.dialog = built.dialog;
      this.keepSnapshot(call); // our CSeq in that dialog moved on
      const res = await this.sendAndWaitFinal(built.request, otherPeer);
      if (res.status >= 200 && res.status < 300) {
        const ack = createInDialogRequest(fromA ? (b.dialog ?? otherDialog) : (call.a.dialog ?? otherDialog), 'ACK', {
          via: viaSentBy(this.deps.local, otherPeer.protocol),
          branch: newBranch(),
          cseq: built.request.cseq().seq,
        }).request;
        this.deps.layer.sendStateless(ack, otherPeer);
        const answer = await this.deps.media.answer({ callId: rtpCallId(call), fromTag, toTag, sdp: res.body.toString('utf8'), toProfile: ownProfile });
        const legId = fromA ? call.a.legId : b.legId;
        void this.deps.recorder.record(hold ? { type: 'HoldLeg', legId, at: this.iso() } : { type: 'ResumeLeg', legId, at: this.iso() });
        tx.respond(createResponse(request, 200, 'OK', { Contact: contactFor(this.deps.local, (fromA ? call.a.peer : b.peer).protocol), Allow: ALLOW, 'Content-Type': 'application/sdp' }, { body: answer }));
      } else {
        tx.respond(createResponse(request, res.status, res.reason));
      }
    } finally {
      call.reinvite = false;
    }
  }

  private sendAndWaitFinal(request: SipRequest, peer: Peer): Promise<SipResponse> {
    return new Promise((resolve) => {
      this.deps.layer.sendRequest(request, peer, {
        onResponse: (res) => {
          if (res.status >= 200) resolve(res);
        },
        onTimeout: () => resolve(new SipResponse(408, 'Request Timeout')),
        onTransportError: () => resolve(new SipResponse(503, 'Service Unavailable')),
      });
    });
  }

  // ------------------------------------------------------------------ ending

  /** Ends an answered call from one side: BYE to the other, events for both, media and channels freed. */
  private async hangup(call: Call, from: 'a' | BLeg | 'both', cause: EndCause, hungUpBy: HungUpBy): Promise<void> {
    if (call.phase === 'ending' || call.phase === 'ended') return;
    if (call.phase !== 'answered') {
      this.failCall(call, cause === 'drain' ? 503 : 480, cause === 'drain' ? 'Service Unavailable - shutting down' : undefined, cause, hungUpBy);
      return;
    }
    call.phase = 'ending';
    const b = call.winner;
    if (from !== 'a') this.byeA(call);
    if (b !== undefined && from !== b) this.byeB(b);
    const at = this.iso();
    await Promise.all([
      this.deps.recorder.record({ type: 'EndLeg', legId: call.a.legId, cause, sipStatus: null, hungUpBy, at }),
      b !== undefined ? this.endB(call, b, cause, null, hungUpBy) : Promise.resolve(),
    ]).catch((e: Error) => this.deps.log('error', 'end-not-recorded', { requestId: call.requestId, error: e.message }));
    await this.finish(call);
  }

  private byeA(call: Call): void {
    const d = call.a.dialog;
    if (d === undefined) return;
    const { request, dialog } = createInDialogRequest(d, 'BYE', { via: viaSentBy(this.deps.local, call.a.peer.protocol), branch: newBranch() });
    call.a.dialog = dialog;
    this.deps.layer.sendRequest(request, call.a.peer, { onResponse: () => undefined, onTimeout: () => undefined });
  }

  private byeB(b: BLeg): void {
    const d = b.dialog;
    if (d === undefined) return;
    const { request, dialog } = createInDialogRequest(d, 'BYE', { via: viaSentBy(this.deps.local, b.peer.protocol), branch: newBranch() });
    b.dialog = dialog;
    this.deps.layer.sendRequest(request, b.peer, { onResponse: () => undefined, onTimeout: () => undefined });
  }

  private cancelB(call: Call, b: BLeg, cause: EndCause, hungUpBy: HungUpBy, reason?: string): void {
    if (b.state === 'failed' || b.state === 'answered' || b.state === 'cancelling' || b.ended) return;
    b.state = 'cancelling';
    b.tx?.cancel(reason);
    void this.endB(call, b, cause, 487, hungUpBy);
  }

  private async endB(call: Call, b: BLeg, cause: EndCause, sipStatus: number | null, hungUpBy: HungUpBy): Promise<void> {
    if (b.ended) return;
    b.ended = true;
    try {
      await this.deps.recorder.record({ type: 'EndLeg', legId: b.legId, cause, sipStatus, hungUpBy, at: this.iso() });
    } finally {
      if (b.holdsChannel) await this.deps.quota?.release(b.legId, cause, call.requestId);
    }
  }

  /** The call ends before answer: final response to the caller, every fork cancelled, events for all. */
  private failCall(call: Call, status: number, reason: string | undefined, cause: EndCause, hungUpBy: HungUpBy = 'system', headers?: Record<string, string>): void {
    if (call.phase === 'ending' || call.phase === 'ended') return;
    const wasRinging = call.phase === 'ringing' || call.phase === 'answered';
    call.phase = 'ending';
    this.clearRingTimer(call);
    if (wasRinging) for (const b of call.bLegs) this.cancelB(call, b, cause === 'cancelled' ? 'cancelled' : cause, hungUpBy);
    if (call.a.tx.finalStatus === undefined) this.respondA(call, status, reason ?? reasonOf(status), headers);
    this.stats.failed++;
    void this.deps.recorder
      .record({ type: 'EndLeg', legId: call.a.legId, cause, sipStatus: status, hungUpBy, at: this.iso() })
      .catch((e: Error) => this.deps.log('error', 'end-not-recorded', { requestId: call.requestId, error: e.message }))
      .then(() => this.finish(call));
  }

  private async finish(call: Call): Promise<void> {
    if (call.phase === 'ended') return;
    call.phase = 'ended';
    this.clearRingTimer(call);
    if (call.maxTimer !== undefined) clearTimeout(call.maxTimer);
    await this.deps.media.delete(rtpCallId(call));
    this.deps.onMediaEnded?.(rtpCallId(call));
    if (call.winner !== undefined && call.a.dialog !== undefined) await this.deps.calls?.remove(call.requestId).catch(() => undefined);
    if (call.a.holdsChannel) await this.deps.quota?.release(call.a.legId, 'ended', call.requestId);
    for (const b of call.bLegs) if (b.holdsChannel && !b.ended) await this.deps.quota?.release(b.legId, 'ended', call.requestId);
    await Promise.all([call.a.legId, ...call.bLegs.map((b) => b.legId)].map((id) => this.deps.recorder.forget(id)));
    this.calls.delete(call);
    this.byLeg.delete(call.a.legId);
    for (const b of call.bLegs) this.byLeg.delete(b.legId);
    // A retransmitted BYE is answered by its server transaction (Timer J), which needs no dialog;
    // a new request in an ended dialog gets 481 (§12.2.2). So the call is forgotten at once.
    this.dialogs.delete(dialogKey(call.a.invite.callId(), call.a.localTag));
    for (const b of call.bLegs) this.dialogs.delete(dialogKey(b.callId, b.localTag));
    if (this.calls.size === 0) for (const w of this.drainWaiters.splice(0)) w();
  }

  private respondA(call: Call, status: number, reason: string, headers?: Record<string, string>, body?: string): SipResponse {
    const res = createResponse(call.a.invite, status, reason, headers, { toTag: call.a.localTag, ...(body !== undefined ? { body } : {}) });
    call.a.tx.respond(res);
    return res;
  }

  private armRingTimer(call: Call, ms: number): void {
    call.ringTimer = setTimeout(() => {
      call.ringTimer = undefined;
      if (call.phase !== 'ringing') return;
      // nobody answered within ringTimeoutSeconds: 480 to the caller
      this.failCall(call, 480, 'Temporarily Unavailable - no answer', 'no-answer', 'system');
    }, ms);
    call.ringTimer.unref();
  }

  private clearRingTimer(call: Call): void {
    if (call.ringTimer !== undefined) clearTimeout(call.ringTimer);
    call.ringTimer = undefined;
  }

  // ------------------------------------------------------------------ calls of other instances

  private keepSnapshot(call: Call): void {
    const store = this.deps.calls;
    const b = call.winner;
    if (store === undefined || b === undefined || call.a.dialog === undefined || b.dialog === undefined) return;
    const snapshot: CallSnapshot = {
      requestId: call.requestId,
      rtpCallId: rtpCallId(call),
      a: { legId: call.a.legId, dialog: call.a.dialog, peer: call.a.peer, holdsChannel: call.a.holdsChannel },
      b: { legId: b.legId, dialog: b.dialog, peer: b.peer, holdsChannel: b.holdsChannel },
    };
    store
      .save(snapshot, dialogKey(call.a.invite.callId(), call.a.localTag), dialogKey(b.callId, b.localTag))
      .catch((e: Error) => this.deps.log('warn', 'call-snapshot-not-saved', { requestId: call.requestId, error: e.message }));
  }

  /** A BYE for an answered call another instance held (it died, or a balancer sent the BYE here). */
  private async takeOverBye(request: SipRequest, tx: ServerTransaction, key: string): Promise<void> {
    let claimed: Awaited<ReturnType<CallStore['claimByDialog']>>;
    try {
      claimed = await this.deps.calls?.claimByDialog(key);
    } catch (e) {
      this.deps.log('error', 'call-takeover-failed', { error: (e as Error).message });
      claimed = undefined;
    }
    if (claimed === undefined) {
      tx.respond(createResponse(request, 481, 'Call/Transaction Does Not Exist'));
      return;
    }
    tx.respond(createResponse(request, 200, 'OK'));
    this.deps.log('info', 'call-taken-over', { requestId: claimed.snapshot.requestId, by: 'bye', side: claimed.side });
    await this.endForeignCall(claimed.snapshot, claimed.side, 'normal', claimed.side === 'a' ? 'caller' : 'callee');
  }

  /**
   * Ends an answered call this instance does not hold in memory: BYE to each side that did not
   * hang up itself, both legs' end recorded, channels and media freed. `from`: the side that sent
   * BYE, or 'none' when the owner died and nobody hung up.
   */
  async endForeignCall(s: CallSnapshot, from: 'a' | 'b' | 'none', cause: EndCause, hungUpBy: HungUpBy): Promise<void> {
    for (const side of ['a', 'b'] as const) {
      if (side === from) continue;
      const leg = s[side];
      try {
        const { request } = createInDialogRequest(leg.dialog, 'BYE', { via: viaSentBy(this.deps.local, leg.peer.protocol), branch: newBranch() });
        const peer = { protocol: leg.peer.protocol, address: leg.peer.address, port: leg.peer.port }; // that instance's connections are gone
        this.deps.layer.sendRequest(request, peer, { onResponse: () => undefined, onTimeout: () => undefined, onTransportError: () => undefined });
      } catch (e) {
        this.deps.log('warn', 'foreign-bye-not-sent', { requestId: s.requestId, side, error: (e as Error).message });
      }
    }
    const at = this.iso();
    await Promise.all(
      [s.a, s.b].map((leg) => this.deps.recorder.recordForeign({ type: 'EndLeg', legId: leg.legId, cause, sipStatus: null, hungUpBy, at }, s.requestId)),
    );
    for (const leg of [s.a, s.b]) if (leg.holdsChannel) await this.deps.quota?.releaseForeign(leg.legId, cause, s.requestId);
    await this.deps.media.delete(s.rtpCallId);
  }

  // ------------------------------------------------------------------ admin, drain

  /** Ends the call a leg belongs to (admin disconnect, reclaimed lease). */
  async hangupLeg(legId: string, cause: EndCause = 'normal'): Promise<boolean> {
    const call = this.byLeg.get(legId);
    if (call === undefined) return false;
    await this.hangup(call, 'both', cause, 'system');
    return true;
  }

  /**
   * SIGTERM: new INVITEs get 503 from now on; live calls go on until they end or the deadline
   * passes, then they are hung up with BYE and recorded with cause `drain`.
   */
  /** From now on new INVITEs get 503 (called on the signal itself, before any shutdown hook runs). */
  refuseNewCalls(): void {
    this.draining = true;
  }

  async drain(deadlineMs: number): Promise<{ endedByDeadline: number }> {
    this.draining = true;
    if (this.calls.size === 0) return { endedByDeadline: 0 };
    const done = new Promise<void>((r) => this.drainWaiters.push(r));
    const timedOut = await Promise.race([done.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), deadlineMs).unref())]);
    if (!timedOut) return { endedByDeadline: 0 };
    const live = [...this.calls];
    await Promise.all(live.map((c) => this.hangup(c, 'both', 'drain', 'system')));
    return { endedByDeadline: live.length };
  }

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  private iso(): string {
    return new Date(this.now()).toISOString();
  }
}

function profileOf(b: Binding): MediaProfile {
  const p: TransportProtocol = b.peer.protocol;
  return p === 'ws' || p === 'wss' ? 'webrtc' : 'rtp';
}

function reasonOf(status: number): string {
  return reasonPhrase(status) || 'Error';
}
