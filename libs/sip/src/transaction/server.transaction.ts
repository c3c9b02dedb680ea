// Server transactions (RFC 3261 §17.2, with RFC 6026's Accepted state for INVITE).

import { createResponse } from '../message/message.factory';
import type { SipRequest, SipResponse } from '../message/message';
import { IndexedTransaction, LayerCore, TransactionBase } from './transaction.base';
import { TRYING_DELAY_MS } from './timer-host';
import type { Peer, ServerTransaction, ServerTransactionState } from './transaction.types';

abstract class ServerTransactionBase extends TransactionBase implements ServerTransaction, IndexedTransaction {
  readonly side = 'server' as const;
  protected st: ServerTransactionState;
  protected last: SipResponse | undefined = undefined;
  /** The last response that carries our To tag (anything above 100). */
  private tagged: SipResponse | undefined = undefined;
  private assignedTag: string | undefined = undefined;
  private final: number | undefined = undefined;
  /** §8.2.2.2 index key (From tag, Call-ID, CSeq), set by the layer for requests without a To tag. */
  mergeKey: string | undefined = undefined;

  onAck?: (ack: SipRequest) => void;
  onAckTimeout?: () => void;
  onTransportError?: (error: Error) => void;
  onTerminated?: () => void;

  constructor(
    core: LayerCore,
    /** `branch|sent-by|method` (§17.2.3), or the RFC 2543 key. */
    readonly key: string,
    readonly request: SipRequest,
    readonly peer: Peer,
    initial: ServerTransactionState,
  ) {
    super(core, peer.protocol !== 'udp');
    this.st = initial;
  }

  get id(): string {
    return this.key;
  }

  get state(): ServerTransactionState {
    return this.st;
  }

  get finalStatus(): number | undefined {
    return this.final;
  }

  get toTag(): string | undefined {
    return this.request.to().tag ?? this.tagged?.to().tag ?? this.assignedTag;
  }

  /** The tag for the 200 to a CANCEL: the one already used, else a new one kept for the 487 (§9.2). */
  tagForCancel(newTag: () => string): string {
    return (this.toTag ?? (this.assignedTag = newTag()));
  }

  abstract respond(response: SipResponse): void;
  /** A retransmission of the request (§17.2.1, §17.2.2). */
  abstract receiveRetransmission(): void;

  /** close(): stop everything, tell no one. */
  shutdown(): void {
    this.clearTimers();
    this.st = 'Terminated';
  }

  protected checkStatus(response: SipResponse): number {
    const s = response.status;
    if (!Number.isInteger(s) || s < 100 || s > 699) throw new RangeError(`SIP status out of range: ${s}`);
    return s;
  }

  protected record(response: SipResponse, status: number): void {
    this.last = response;
    if (status > 100) this.tagged = response;
    if (status >= 200) this.final = status;
  }

  /**
   * Once the ACK is in, the responses are never resent: keep only their To tag, so that a
   * transaction waiting out Timer I or L (up to 64*T1) holds no response or body.
   */
  protected forgetResponses(): void {
    this.assignedTag = this.toTag;
    this.tagged = undefined;
    this.last = undefined;
  }

  /** Sends; on a transport error the transaction ends (§17.2.4) and false comes back. */
  protected send(response: SipResponse): boolean {
    const err = this.core.trySend(response, this.peer);
    if (err === undefined) return true;
    this.terminate(err);
    return false;
  }

  protected late(response: SipResponse): void {
    // §17.2.1 / §17.2.2: "Any other final responses passed by the TU to the server
    // transaction MUST be discarded while in the Completed state."
    this.core.drop('late-response', response, this.peer);
  }

  protected terminate(error?: Error): void {
    if (this.st === 'Terminated') return;
    this.st = 'Terminated';
    this.clearTimers();
    this.core.ended(this);
    if (error !== undefined) this.onTransportError?.(error);
    this.onTerminated?.();
  }
}

/**
 *                    |INVITE, pass to TU; 100 Trying if the TU is silent for 200 ms
 *                    V
 *   INVITE      +-----------+  1xx from TU: send
 *   resend last | Proceeding|---------------------+
 *   provisional +-----------+                     |
 *        300-699 from TU |    \ 2xx from TU: send, retransmit at T1..T2 until ACK (§13.3.1.4)
 *        send            V     \                  V
 *   INVITE      +-----------+   \          +-----------+  INVITE: absorbed
 *   resend      | Completed |    +-------->|  Accepted |  ACK: to TU (first one: onAck)
 *   Timer G     +-----------+              +-----------+  2xx from TU: send
 *   resend  ACK |      | Timer H                 | Timer L (no ACK yet: onAckTimeout)
 *               V      | (onAckTimeout)          |
 *         +-----------+|                          |
 *         | Confirmed ||                          |
 *         +-----------+|                          |
 *      Timer I |       V                          V
 *              +---> Terminated <-----------------+   (RFC 3261 Fig. 7, RFC 6026 Fig. 7)
 */
export class InviteServerTransaction extends ServerTransactionBase {
  /** Call-ID, CSeq number and To tag of our 2xx, to find this transaction from the ACK. */
  ackKey: string | undefined = undefined;
  private acked = false;

  constructor(core: LayerCore, key: string, request: SipRequest, peer: Peer) {
    super(core, key, request, peer, 'Proceeding');
  }

  respond(response: SipResponse): void {
    const status = this.checkStatus(response);
    if (this.st === 'Proceeding') {
      this.clearMain(); // the 100 Trying delay
      this.record(response, status);
      if (status < 200) {
        this.send(response);
      } else if (status < 300) {
        // RFC 6026 §8.5: Accepted, Timer L; §13.3.1.4: the 2xx is retransmitted until the ACK.
        this.st = 'Accepted';
        this.ackKey = this.request.callId() + '|' + this.request.cseq().seq + '|' + (response.to().tag ?? '');
        this.core.indexAck(this.ackKey, this);
        if (!this.reliable) this.armRtx(this.core.t.T1);
        this.armMain(this.core.t.x64T1); // Timer L
        this.send(response);
      } else {
        // §17.2.1: Completed, Timer G (unreliable) and Timer H.
        this.st = 'Completed';
        if (!this.reliable) this.armRtx(this.core.t.T1);
        this.armMain(this.core.t.x64T1);
        this.send(response);
      }
      return;
    }
    if (this.st === 'Accepted' && status >= 200 && status < 300) {
      // RFC 6026 §8.5: 2xx from the TU while Accepted go to the transport.
      this.record(response, status);
      this.send(response);
      return;
    }
    this.late(response);
  }

  receiveRetransmission(): void {
    switch (this.st) {
      case 'Proceeding':
        // §17.2.1: resend the most recent provisional; none yet → the 100 Trying now.
        if (this.last !== undefined) this.send(this.last);
        else if (this.core.autoTrying) this.sendTrying();
        return;
      case 'Completed':
        if (this.last !== undefined) this.send(this.last);
        return;
      default:
        return; // Confirmed: absorbed (§17.2.1); Accepted: absorbed (RFC 6026 §8.7)
    }
  }

  /** The ACK matched this transaction by §17.2.3: the ACK for our non-2xx final. */
  receiveAck(ack: SipRequest): void {
    if (this.st !== 'Completed') return; // Confirmed: absorbed
    // §17.2.1: Confirmed; Timer G stops, Timer I starts (T4, or 0 on reliable transports).
    this.st = 'Confirmed';
    this.clearTimers();
    this.forgetResponses();
    if (!this.reliable) this.armMain(this.core.t.T4);
    this.onAck?.(ack);
    if (this.reliable) this.terminate();
  }

  /** The ACK for our 2xx (Call-ID, CSeq number and To tag matched). */
  receive2xxAck(ack: SipRequest): void {
    if (this.acked || this.st !== 'Accepted') return;
    this.acked = true;
    this.clearRtx(); // §13.3.1.4: retransmissions stop with the ACK; Timer L keeps running
    this.forgetResponses();
    this.onAck?.(ack);
  }

  /** Called by the layer after the TU had the INVITE. */
  startTryingTimer(): void {
    if (this.st === 'Proceeding' && this.last === undefined) this.armMain(TRYING_DELAY_MS);
  }

  protected onRtxTimer(): void {
    // Timer G (Completed) or the 2xx retransmission (Accepted): T1, 2T1, ... capped at T2.
    if ((this.st !== 'Completed' && this.st !== 'Accepted') || this.last === undefined) return;
    this.armRtx(Math.min(this.interval * 2, this.core.t.T2));
    this.send(this.last);
  }

  protected onMainTimer(): void {
    switch (this.st) {
      case 'Proceeding': // the TU has not answered within 200 ms (§17.2.1)
        if (this.last === undefined) this.sendTrying();
        return;
      case 'Completed': // Timer H: the ACK never came (§17.2.1)
        this.ackTimeout();
        return;
      case 'Confirmed': // Timer I
        this.terminate();
        return;
      case 'Accepted': // Timer L (RFC 6026 §8.7); 64*T1 without ACK (§13.3.1.4)
        if (this.acked) this.terminate();
        else this.ackTimeout();
        return;
      default:
        return;
    }
  }

  private sendTrying(): void {
    this.clearMain();
    const trying = createResponse(this.request, 100);
    this.last = trying;
    this.send(trying);
  }

  private ackTimeout(): void {
    const tell = this.onAckTimeout;
    this.onAckTimeout = undefined;
    // ends first, so the TU sees a terminated transaction and no timer left
    const terminated = this.onTerminated;
    this.onTerminated = undefined;
    this.terminate();
    tell?.();
    terminated?.();
  }
}

/**
 *                    |Request received, pass to TU
 *                    V
 *              +-----------+  request: absorbed
 *              |   Trying  |-------------+
 *              +-----------+             | 200-699 from TU: send
 *   1xx from TU: send |                  |
 *                     V                  V
 *  request:    +-----------+  200-699  +-----------+  request: resend final
 *  resend 1xx  | Proceeding|---------->| Completed |
 *              +-----------+  send     +-----------+
 *                                            | Timer J (64*T1, 0 on reliable)
 *                                            V
 *                                       Terminated  (RFC 3261 Figure 8)
 */
export class NonInviteServerTransaction extends ServerTransactionBase {
  constructor(core: LayerCore, key: string, request: SipRequest, peer: Peer) {
    super(core, key, request, peer, 'Trying');
  }

  respond(response: SipResponse): void {
    const status = this.checkStatus(response);
    if (this.st !== 'Trying' && this.st !== 'Proceeding') {
      this.late(response);
      return;
    }
    this.record(response, status);
    if (status < 200) {
      this.st = 'Proceeding';
      this.send(response);
      return;
    }
    this.st = 'Completed';
    if (!this.reliable) this.armMain(this.core.t.x64T1); // Timer J
    if (this.send(response) && this.reliable) this.terminate(); // Timer J = 0
  }

  receiveRetransmission(): void {
    // §17.2.2: absorbed while Trying; the last response resent in Proceeding and Completed.
    if ((this.st === 'Proceeding' || this.st === 'Completed') && this.last !== undefined) this.send(this.last);
  }

  protected onRtxTimer(): void {
    // a non-INVITE server transaction never retransmits on its own
  }

  protected onMainTimer(): void {
    if (this.st === 'Completed') this.terminate(); // Timer J
  }
}

export type AnyServerTransaction = InviteServerTransaction | NonInviteServerTransaction;
