// Test support for the transaction specs: a layer on a FakeClock whose send() records
// every message, a TU that records what it is told, and builders for wire messages
// (text parsed by parseMessage, as the transports will hand them over). Not exported.

import { createRequest, createResponse } from '../message/message.factory';
import { SipRequest, SipResponse } from '../message/message';
import { parseMessage } from '../message/message.parser';
import { serialize } from '../message/message.serializer';
import { newBranch } from './branch';
import { FakeClock } from './fake-clock';
import { TransactionLayer } from './transaction.layer';
import type { ClientTransaction, DropReason, Peer, ServerTransaction, TransactionTimers } from './transaction.types';

export const UDP: Peer = Object.freeze({ protocol: 'udp', address: '192.0.2.10', port: 5060 });
export const TCP: Peer = Object.freeze({ protocol: 'tcp', address: '192.0.2.10', port: 5060, connectionId: 'tcp-1' });

export interface Sent {
  readonly at: number;
  readonly message: SipRequest | SipResponse;
  readonly peer: Peer;
}

export type ClientEvent =
  | { readonly kind: 'response'; readonly at: number; readonly status: number; readonly state: string }
  | { readonly kind: 'timeout'; readonly at: number; readonly state: string }
  | { readonly kind: 'transport-error'; readonly at: number; readonly message: string; readonly state: string };

export interface RecordedClient {
  readonly tx: ClientTransaction;
  readonly events: ClientEvent[];
  /** Set when a handler ran inside sendRequest() (it must not). */
  readonly reentrant: { value: boolean };
}

export interface ServerEvents {
  readonly acks: Array<{ at: number; ack: SipRequest }>;
  readonly ackTimeouts: number[];
  readonly terminated: number[];
  readonly transportErrors: string[];
}

export interface HarnessOptions {
  readonly timers?: Partial<TransactionTimers>;
  readonly autoTrying?: boolean;
  readonly withStrayHandler?: boolean;
}

let tagSeq = 0;

export class Harness {
  readonly clock = new FakeClock();
  readonly sent: Sent[] = [];
  readonly requests: Array<{ at: number; request: SipRequest; tx: ServerTransaction | undefined; peer: Peer }> = [];
  readonly cancels: Array<{ tx: ServerTransaction; cancel: SipRequest }> = [];
  readonly strays: SipResponse[] = [];
  readonly drops: Array<{ reason: DropReason; message: SipRequest | SipResponse }> = [];
  /** Return true to make send() throw for that message. */
  failSend: ((m: SipRequest | SipResponse) => boolean) | undefined = undefined;
  /** Runs inside send(), after recording: a loopback transport answering at once. */
  onSend: ((m: SipRequest | SipResponse) => void) | undefined = undefined;
  /** What the TU does with a new request besides recording it. */
  onRequest: ((request: SipRequest, tx: ServerTransaction | undefined) => void) | undefined = undefined;
  readonly layer: TransactionLayer;

  constructor(o: HarnessOptions = {}) {
    this.layer = new TransactionLayer({
      send: (message, peer) => {
        if (this.failSend?.(message)) throw new Error('connection reset');
        this.sent.push({ at: this.clock.now, message, peer });
        this.onSend?.(message);
      },
      tu: {
        onRequest: (request, tx, peer) => {
          this.requests.push({ at: this.clock.now, request, tx, peer });
          this.onRequest?.(request, tx);
        },
        onCancel: (tx, cancel) => {
          this.cancels.push({ tx, cancel });
        },
        onStrayResponse: o.withStrayHandler === false ? undefined : (response) => void this.strays.push(response),
      },
      timers: o.timers,
      autoTrying: o.autoTrying,
      scheduler: this.clock,
      newTag: () => `lt${++tagSeq}`,
      onDrop: (reason, message) => void this.drops.push({ reason, message }),
    });
  }

  /** Requests the layer sent, by method. */
  sentRequests(method?: string): Array<Sent & { message: SipRequest }> {
    return this.sent.filter((s): s is Sent & { message: SipRequest } => s.message.kind === 'request' && (method === undefined || s.message.method === method));
  }

  /** Responses the layer sent, by status. */
  sentResponses(status?: number): Array<Sent & { message: SipResponse }> {
    return this.sent.filter((s): s is Sent & { message: SipResponse } => s.message.kind === 'response' && (status === undefined || s.message.status === status));
  }

  /** Starts a client transaction whose handler records every callback. */
  client(request: SipRequest, peer: Peer = UDP, opts: { transportErrorHandler?: boolean } = {}): RecordedClient {
    const events: ClientEvent[] = [];
    const reentrant = { value: false };
    let inside = true;
    const tx = this.layer.sendRequest(request, peer, {
      onResponse: (r, t) => {
        if (inside) reentrant.value = true;
        events.push({ kind: 'response', at: this.clock.now, status: r.status, state: t.state });
      },
      onTimeout: (t) => {
        if (inside) reentrant.value = true;
        events.push({ kind: 'timeout', at: this.clock.now, state: t.state });
      },
      onTransportError:
        opts.transportErrorHandler === false
          ? undefined
          : (t, e) => {
              if (inside) reentrant.value = true;
              events.push({ kind: 'transport-error', at: this.clock.now, message: e.message, state: t.state });
            },
    });
    inside = false;
    return { tx, events, reentrant };
  }

  /** Feeds a message as if a transport had received it (serialized and parsed again). */
  receive(message: SipRequest | SipResponse, peer: Peer = UDP): void {
    this.layer.receive(wire(message), peer);
  }

  /** Feeds a request and returns the server transaction the TU got for it. */
  serve(request: SipRequest, peer: Peer = UDP): ServerTransaction {
    const before = this.requests.length;
    this.receive(request, peer);
    const got = this.requests[before]?.tx;
    if (got === undefined) throw new Error(`no server transaction for ${request.method}`);
    return got;
  }

  /** Records the callbacks of a server transaction. */
  watch(tx: ServerTransaction): ServerEvents {
    const ev: ServerEvents = { acks: [], ackTimeouts: [], terminated: [], transportErrors: [] };
    tx.onAck = (ack) => void ev.acks.push({ at: this.clock.now, ack });
    tx.onAckTimeout = () => void ev.ackTimeouts.push(this.clock.now);
    tx.onTerminated = () => void ev.terminated.push(this.clock.now);
    tx.onTransportError = (e) => void ev.transportErrors.push(e.message);
    return ev;
  }
}

/**
 * A fresh Harness before each test (handed to `set`), and after each test the check every
 * scenario ends with: no armed timer and no live transaction. `get` reads the spec's current
 * harness, since a test may swap in one with other options.
 */
export function harnessPerTest(set: (h: Harness) => void, get: () => Harness): void {
  beforeEach(() => set(new Harness()));
  afterEach(() => {
    const h = get();
    expect(h.clock.pending()).toBe(0);
    expect(h.layer.counts()).toEqual({ client: 0, server: 0 });
  });
}

/** The TU's response on a server transaction (with To tag `tag` above 100). */
export function answer(tx: ServerTransaction, status: number, tag = 'uas-tag'): void {
  tx.respond(reply(tx.request, status, status > 100 ? tag : undefined));
}

/** The message as a transport hands it over: serialized and parsed again. */
export function wire<T extends SipRequest | SipResponse>(message: T): T {
  const r = parseMessage(serialize(message));
  if (!r.ok) throw new Error(`test message does not parse: ${r.error.reason}`);
  return r.message as T;
}

export interface RequestOpts {
  readonly branch?: string;
  readonly host?: string;
  readonly port?: number;
  readonly transport?: string;
  readonly callId?: string;
  readonly fromTag?: string;
  readonly toTag?: string;
  readonly cseq?: number;
  readonly uri?: string;
  readonly route?: string;
  /** An extra Via below the top one. */
  readonly lowerVia?: string;
}

let callSeq = 0;

/** A request as a phone would send it; every field can be pinned. */
export function request(method: string, o: RequestOpts = {}): SipRequest {
  const branch = o.branch ?? newBranch();
  const via = `SIP/2.0/${o.transport ?? 'UDP'} ${o.host ?? 'pc33.atlanta.example.com'}${o.port === undefined ? '' : ':' + o.port}${branch === '' ? '' : ';branch=' + branch}`;
  const headers: Array<[string, string]> = [['Via', via]];
  if (o.lowerVia !== undefined) headers.push(['Via', o.lowerVia]);
  if (o.route !== undefined) headers.push(['Route', o.route]);
  headers.push(
    ['Max-Forwards', '70'],
    ['To', `Bob <sip:bob@biloxi.example.com>${o.toTag === undefined ? '' : ';tag=' + o.toTag}`],
    ['From', `Alice <sip:alice@atlanta.example.com>;tag=${o.fromTag ?? '1928301774'}`],
    ['Call-ID', o.callId ?? `call-${++callSeq}@atlanta.example.com`],
    ['CSeq', `${o.cseq ?? 314159} ${method}`],
    ['Contact', '<sip:alice@pc33.atlanta.example.com>'],
  );
  return createRequest({ method, uri: o.uri ?? 'sip:bob@biloxi.example.com', headers });
}

/** The same request with another method (CSeq number kept), as a CANCEL or ACK built by the peer. */
export function sibling(of: SipRequest, method: string, o: { branch?: string; toTag?: string } = {}): SipRequest {
  const via = of.topVia();
  if (via === undefined) throw new Error('no Via');
  return request(method, {
    branch: o.branch ?? via.branch ?? '',
    host: via.host,
    port: via.port,
    transport: via.transport,
    callId: of.callId(),
    fromTag: of.from().tag,
    toTag: o.toTag ?? of.to().tag,
    cseq: of.cseq().seq,
    uri: of.uriText,
  });
}

/** A response as the far end would send it. */
export function reply(to: SipRequest, status: number, toTag: string | undefined = status > 100 ? 'far-tag' : undefined): SipResponse {
  return createResponse(to, status, undefined, undefined, toTag === undefined ? undefined : { toTag });
}
