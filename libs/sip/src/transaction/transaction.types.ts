// The public shapes of the transaction layer (RFC 3261 §17, RFC 6026). The layer holds no
// socket: the transports feed it parsed messages through `receive()` and it hands messages
// back through `send()`.

import type { SipRequest, SipResponse } from '../message/message';

export type TransportProtocol = 'udp' | 'tcp' | 'ws' | 'wss' | 'tls';

/** Where a message came from or goes to. connectionId pins a TCP/WS connection (responses go back on it, §18.2.2). */
export interface Peer {
  protocol: TransportProtocol;
  address: string;
  port: number;
  connectionId?: string;
}

/** RFC 3261 §17: on reliable transports Timers A, E and G are not used and D, I, J, K are zero. */
export const isReliable = (p: TransportProtocol): boolean => p !== 'udp';

/** Sets and clears one-shot timers. The default wraps setTimeout/clearTimeout (unref'd); tests pass a FakeClock. */
export interface TimerHost {
  set(ms: number, fn: () => void): unknown;
  clear(handle: unknown): void;
}

/**
 * Timer base values in ms (RFC 3261 §17.1.1.1, Table 4): T1 = RTT estimate (500), T2 =
 * the cap on non-INVITE request and INVITE response retransmits (4000), T4 = how long a
 * message may stay in the network (5000).
 */
export interface TransactionTimers {
  T1: number;
  T2: number;
  T4: number;
  /**
   * Timer C (RFC 3261 §16.6 step 11, §16.8): how long an INVITE client transaction may stay
   * in Proceeding without a further provisional response before the layer CANCELs it.
   * Default 180,000 ms (the RFC's "> 3 min" lower bound); 0 turns it off.
   */
  C?: number;
}

/** What the layer stays quiet about on the wire but tells the owner (STYLE.md: never silent). */
export type DropReason =
  /** A header the layer must read (Via, CSeq, Call-ID, From, To) does not parse. */
  | 'malformed'
  /** A response matching no client transaction, and the TU has no onStrayResponse. */
  | 'stray-response'
  /** The TU answered a server transaction that already sent its final response (§17.2.1, §17.2.2: discarded). */
  | 'late-response'
  /** A message arrived after close(). */
  | 'closed';

export interface TransactionUser {
  /** A new request for the TU: tx is the new server transaction; undefined for an ACK to a 2xx (no transaction, §17.1.1.3 / RFC 6026). */
  onRequest(request: SipRequest, tx: ServerTransaction | undefined, peer: Peer): void;
  /** A CANCEL matching a live INVITE server transaction (§9.2). The layer has already answered the CANCEL with 200; the TU should answer the INVITE with 487. */
  onCancel(inviteTx: ServerTransaction, cancel: SipRequest): void;
  /** A response matching no client transaction (e.g. a 2xx retransmission after the tx ended); optional. */
  onStrayResponse?(response: SipResponse, peer: Peer): void;
}

export interface TransactionLayerOptions {
  /** May throw: the layer reports it as a transport error (§17.1.4, §17.2.4). */
  send(message: SipRequest | SipResponse, peer: Peer): void;
  tu: TransactionUser;
  timers?: Partial<TransactionTimers>;
  /** Default: setTimeout/clearTimeout, unref'd. */
  scheduler?: TimerHost;
  /** Send 100 Trying if the TU has not answered an INVITE within 200 ms (§17.2.1). Default true. */
  autoTrying?: boolean;
  /** To tags the layer must invent (the 200 to a CANCEL, 481, 482). Default: 8 random bytes as hex. */
  newTag?: () => string;
  /** Messages the layer discards without a reply, and why; for logs and metrics. */
  onDrop?(reason: DropReason, message: SipRequest | SipResponse, peer: Peer): void;
}

export interface ClientTransactionHandler {
  /** Every provisional and final; for INVITE also 2xx retransmissions while Accepted (RFC 6026). */
  onResponse(response: SipResponse, tx: ClientTransaction): void;
  /** Timer B / F; also an INVITE left without a final response 64*T1 after its CANCEL (§9.1). */
  onTimeout(tx: ClientTransaction): void;
  /** send() threw (§17.1.4). Without this handler the layer calls onTimeout instead, so the TU always learns. */
  onTransportError?(tx: ClientTransaction, error: Error): void;
}

export type ClientTransactionState = 'Calling' | 'Trying' | 'Proceeding' | 'Completed' | 'Accepted' | 'Terminated';
export type ServerTransactionState = 'Trying' | 'Proceeding' | 'Completed' | 'Confirmed' | 'Accepted' | 'Terminated';

export interface ClientTransaction {
  readonly id: string;
  readonly request: SipRequest;
  readonly peer: Peer;
  readonly state: ClientTransactionState;
  /** INVITE only: sends CANCEL per §9.1 (same Request-URI, Call-ID, To, From, CSeq number, top Via) in its own non-INVITE client tx — waits for a provisional response before sending if none arrived yet; no-op once a final response arrived. Optional Reason header value. */
  cancel(reason?: string): void;
}

export interface ServerTransaction {
  readonly id: string;
  readonly request: SipRequest;
  readonly peer: Peer;
  readonly state: ServerTransactionState;
  /** Sends the response (provisional or final) and drives the state machine. For INVITE 2xx: enters Accepted (RFC 6026) and, on unreliable transports, retransmits the 2xx at T1, 2T1 … capped at T2 until the ACK arrives (§13.3.1.4; the layer matches that ACK by Call-ID, CSeq number and To tag) or 64*T1 passes. */
  respond(response: SipResponse): void;
  readonly finalStatus: number | undefined;
  /**
   * The To tag this transaction answered with, or the one the layer gave the 200 to a
   * CANCEL of this INVITE; reuse it for the 487 so both carry the same tag (§9.2).
   */
  readonly toTag?: string;
  /** INVITE: the ACK for our 2xx (also still delivered to tu.onRequest with tx undefined) or for our non-2xx. */
  onAck?: (ack: SipRequest) => void;
  /** INVITE: no ACK within 64*T1 — for a 2xx (Timer L, the TU should then BYE, §13.3.1.4) and for a non-2xx (Timer H). */
  onAckTimeout?: () => void;
  /** send() threw while answering; the transaction is terminated right after (§17.2.4). */
  onTransportError?: (error: Error) => void;
  onTerminated?: () => void;
}
