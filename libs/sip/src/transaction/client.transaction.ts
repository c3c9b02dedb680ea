// Client transactions (RFC 3261 §17.1, with RFC 6026's Accepted state for INVITE).

import { makeField } from '../message/headers';
import type { SipRequest, SipResponse } from '../message/message';
import { buildAckForNon2xx, buildCancel } from './request.builders';
import { IndexedTransaction, LayerCore, TransactionBase } from './transaction.base';
import type { ClientTransaction, ClientTransactionHandler, ClientTransactionState, Peer } from './transaction.types';

abstract class ClientTransactionBase extends TransactionBase implements ClientTransaction, IndexedTransaction {
  readonly side = 'client' as const;
  protected st: ClientTransactionState;

  constructor(
    core: LayerCore,
    /** `branch|method` (§17.1.3). */
    readonly key: string,
    readonly request: SipRequest,
    readonly peer: Peer,
    protected readonly handler: ClientTransactionHandler,
    initial: ClientTransactionState,
  ) {
    super(core, peer.protocol !== 'udp');
    this.st = initial;
  }

  get id(): string {
    return this.key;
  }

  get state(): ClientTransactionState {
    return this.st;
  }

  abstract cancel(reason?: string): void;
  /** Sends the request for the first time. */
  abstract start(): void;
  /** A response whose top Via branch and CSeq method match this transaction (§17.1.3). */
  abstract receive(response: SipResponse): void;

  /** close(): stop everything, tell no one. */
  shutdown(): void {
    this.clearTimers();
    this.st = 'Terminated';
  }

  protected send(message: SipRequest): boolean {
    const err = this.core.trySend(message, this.peer);
    if (err === undefined) return true;
    this.transportError(err, false);
    return false;
  }

  protected terminate(): void {
    if (this.st === 'Terminated') return;
    this.st = 'Terminated';
    this.clearTimers();
    this.core.ended(this);
  }

  /** Timer B / F (§17.1.1.2, §17.1.2.2). */
  protected timeout(): void {
    this.terminate();
    this.handler.onTimeout(this);
  }

  /**
   * §17.1.4: inform the TU and go to Terminated. A failure of the very first send is
   * reported on the timer host's next turn, so no callback runs inside sendRequest().
   */
  protected transportError(error: Error, deferred: boolean): void {
    this.terminate();
    const notify = (): void => {
      if (this.handler.onTransportError !== undefined) this.handler.onTransportError(this, error);
      else this.handler.onTimeout(this);
    };
    if (deferred) this.core.defer(notify);
    else notify();
  }
}

const enum CancelState {
  None,
  /** cancel() came while Calling: send the CANCEL on the first provisional (§9.1). */
  Pending,
  Sent,
}

/**
 *                    |INVITE from TU
 *      Timer A fires |INVITE sent           Timer B fires / Transport Err.
 *      INVITE sent   V                      inform TU
 *                +-----------+
 *                |  Calling  |--- 2xx → TU -------------------------+
 *                +-----------+                                       |
 *                  1xx |   \ 300-699: ACK sent, resp. to TU          |
 *                      V    \                                        V
 *                +-----------+  300-699  +-----------+        +-----------+
 *   1xx → TU     | Proceeding|---------->| Completed |        |  Accepted |  2xx → TU
 *                +-----------+  ACK sent +-----------+        +-----------+
 *                      | 2xx → TU          | Timer D            | Timer M
 *                      +-------------------|--------------------+
 *                                          V                    V
 *                                        Terminated (RFC 3261 Fig. 5, RFC 6026 Fig. 5)
 */
export class InviteClientTransaction extends ClientTransactionBase {
  private ack: SipRequest | undefined = undefined;
  private cancelState = CancelState.None;
  private cancelReason: string | undefined = undefined;

  constructor(core: LayerCore, key: string, request: SipRequest, peer: Peer, handler: ClientTransactionHandler) {
    super(core, key, request, peer, handler, 'Calling');
  }

  start(): void {
    // Timers first: a transport may hand a response back from inside send().
    if (!this.reliable) this.armRtx(this.core.t.T1); // Timer A (§17.1.1.2)
    this.armMain(this.core.t.x64T1); // Timer B
    const err = this.core.trySend(this.request, this.peer);
    if (err !== undefined) this.transportError(err, true);
  }

  cancel(reason?: string): void {
    if (this.cancelState !== CancelState.None) return;
    if (reason !== undefined) makeField('Reason', reason); // a bad value throws now, not later from a timer
    if (this.st === 'Calling') {
      // §9.1: "If no provisional response has been received, the CANCEL request MUST NOT be
      // sent; rather, the client MUST wait for the arrival of a provisional response."
      this.cancelState = CancelState.Pending;
      this.cancelReason = reason;
    } else if (this.st === 'Proceeding') {
      this.sendCancel(reason);
    }
    // Completed, Accepted, Terminated: a final response already arrived, nothing to cancel.
  }

  receive(response: SipResponse): void {
    const status = response.status;
    const st = this.st;
    if (status < 200) {
      if (st === 'Calling') {
        // §17.1.1.2: Proceeding, no more retransmissions; Timer B only runs in Calling.
        this.st = 'Proceeding';
        this.clearTimers();
        if (this.cancelState === CancelState.Pending) this.sendCancel(this.cancelReason);
        else if (this.core.t.C > 0) this.armMain(this.core.t.C); // Timer C
      } else if (st === 'Proceeding') {
        if (this.cancelState === CancelState.None && this.core.t.C > 0) this.armMain(this.core.t.C); // §16.7 step 2: provisional resets Timer C
      } else {
        return; // late provisional: absorbed
      }
      this.handler.onResponse(response, this);
      return;
    }
    if (status < 300) {
      if (st === 'Calling' || st === 'Proceeding') {
        // RFC 6026 §8.4: Accepted, Timer M = 64*T1; the TU sends the ACK (§13.2.2.4).
        this.st = 'Accepted';
        this.clearTimers();
        this.armMain(this.core.t.x64T1);
      } else if (st !== 'Accepted') {
        return;
      }
      this.handler.onResponse(response, this); // while Accepted also retransmissions and other forks' 2xx (RFC 6026 §8.4)
      return;
    }
    if (st === 'Calling' || st === 'Proceeding') {
      // §17.1.1.2: 300-699 → Completed, ACK sent, response to the TU, Timer D.
      this.st = 'Completed';
      this.clearTimers();
      this.ack = buildAckForNon2xx(this.request, response);
      if (!this.reliable) this.armMain(this.core.t.D);
      const err = this.core.trySend(this.ack, this.peer);
      if (err !== undefined) {
        this.terminate();
        this.handler.onResponse(response, this);
        this.transportError(err, false);
        return;
      }
      if (this.reliable) this.terminate(); // Timer D = 0
      this.handler.onResponse(response, this);
      return;
    }
    // §17.1.1.2: a retransmitted final in Completed gets the ACK again and stays here.
    if (st === 'Completed' && this.ack !== undefined) this.send(this.ack);
  }

  protected onRtxTimer(): void {
    if (this.st !== 'Calling') return;
    this.armRtx(this.interval * 2); // Timer A doubles, uncapped, until Timer B (§17.1.1.2)
    this.send(this.request);
  }

  protected onMainTimer(): void {
    switch (this.st) {
      case 'Calling': // Timer B
        this.timeout();
        return;
      case 'Proceeding':
        if (this.cancelState === CancelState.Sent) this.timeout(); // §9.1: no final 64*T1 after the CANCEL
        else this.sendCancel(undefined); // Timer C fired (§16.8)
        return;
      case 'Completed': // Timer D
      case 'Accepted': // Timer M
        this.terminate();
        return;
      default:
        return;
    }
  }

  private sendCancel(reason: string | undefined): void {
    this.cancelState = CancelState.Sent;
    this.cancelReason = undefined;
    // §9.1: "If there is no final response for the original request in 64*T1 seconds ...
    // the client SHOULD then consider the original transaction cancelled and SHOULD destroy
    // the client transaction handling the original request."
    this.armMain(this.core.t.x64T1);
    this.core.sendRequest(buildCancel(this.request, reason), this.peer, {
      onResponse: () => undefined,
      onTimeout: () => undefined,
      // the transport that cannot carry the CANCEL will not bring the INVITE's final either
      onTransportError: (_tx, error) => {
        if (this.st === 'Proceeding') this.transportError(error, false);
      },
    });
  }
}

/**
 *                    |Request from TU, request sent
 *      Timer E       V
 *      send request +-----------+
 *          +--------|  Trying   |-------------+ 200-699 → TU
 *          +------->|           |             |
 *                   +-----------+             |
 *    Timer F fires   1xx → TU |               |
 *    or Transport Err.        V               V
 *    inform TU      +-----------+  200-699  +-----------+   Timer K   +------------+
 *    Timer E (T2)   | Proceeding|---------->| Completed |------------>| Terminated |
 *    send request   +-----------+  → TU     +-----------+             +------------+
 *                                                    (RFC 3261 Figure 6)
 */
export class NonInviteClientTransaction extends ClientTransactionBase {
  constructor(core: LayerCore, key: string, request: SipRequest, peer: Peer, handler: ClientTransactionHandler) {
    super(core, key, request, peer, handler, 'Trying');
  }

  start(): void {
    if (!this.reliable) this.armRtx(this.core.t.T1); // Timer E (§17.1.2.2)
    this.armMain(this.core.t.x64T1); // Timer F
    const err = this.core.trySend(this.request, this.peer);
    if (err !== undefined) this.transportError(err, true);
  }

  cancel(): void {
    throw new TypeError(`cancel() applies to INVITE client transactions only, not ${this.request.method} (RFC 3261 §9.1)`);
  }

  receive(response: SipResponse): void {
    const st = this.st;
    if (st !== 'Trying' && st !== 'Proceeding') return; // Completed: retransmitted responses absorbed
    if (response.status < 200) {
      this.st = 'Proceeding';
      this.handler.onResponse(response, this);
      return;
    }
    this.st = 'Completed';
    this.clearTimers();
    if (this.reliable) this.terminate(); // Timer K = 0
    else this.armMain(this.core.t.T4); // Timer K
    this.handler.onResponse(response, this);
  }

  protected onRtxTimer(): void {
    const st = this.st;
    if (st !== 'Trying' && st !== 'Proceeding') return;
    // §17.1.2.2: min(2E, T2) while Trying; T2 once Proceeding.
    const t = this.core.t;
    this.armRtx(st === 'Proceeding' ? t.T2 : Math.min(this.interval * 2, t.T2));
    this.send(this.request);
  }

  protected onMainTimer(): void {
    if (this.st === 'Trying' || this.st === 'Proceeding') this.timeout(); // Timer F
    else if (this.st === 'Completed') this.terminate(); // Timer K
  }
}

export type AnyClientTransaction = InviteClientTransaction | NonInviteClientTransaction;
