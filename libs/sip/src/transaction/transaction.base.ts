// What every transaction shares: the two timer slots and the layer's services.
//
// A transaction never needs more than two timers at once (RFC 3261 §17):
//   rtx  — retransmission: A (INVITE client), E (non-INVITE client), G (INVITE server non-2xx),
//          and the 2xx retransmission of §13.3.1.4 (INVITE server, Accepted);
//   main — everything else: B, C, D, F, H, I, J, K, L, M, the 200 ms 100-Trying delay and the
//          64*T1 wait for a final response after a CANCEL (§9.1).
// The two callbacks are made once per transaction, on first use, and reused for every re-arm.
// Timers are armed before send() is called, never after: a transport may hand a response
// or an ACK back from inside send() (a loopback), and the state it moves to must find the
// timers it has to clear.

import type { SipRequest, SipResponse } from '../message/message';
import type { TimerValues } from './timer-host';
import type { ClientTransaction, ClientTransactionHandler, DropReason, Peer, TimerHost } from './transaction.types';

/** The layer as the transactions see it. @internal */
export interface LayerCore {
  readonly t: TimerValues;
  readonly host: TimerHost;
  readonly autoTrying: boolean;
  /** Hands a message to the transport; the error when send() threw. */
  trySend(message: SipRequest | SipResponse, peer: Peer): Error | undefined;
  /** Runs fn from the timer host on its own turn (0 ms), so that it never runs inside the caller's call. */
  defer(fn: () => void): void;
  drop(reason: DropReason, message: SipRequest | SipResponse, peer: Peer): void;
  /** Starts a client transaction (the CANCEL of an INVITE). */
  sendRequest(request: SipRequest, peer: Peer, handler: ClientTransactionHandler): ClientTransaction;
  /** A transaction reached Terminated: forget it (and its entries in the ACK and merge indexes). */
  ended(tx: IndexedTransaction): void;
  /** An INVITE server transaction entered Accepted: index it for the ACK of its 2xx. */
  indexAck(key: string, tx: IndexedTransaction): void;
}

/** What the layer's maps hold about a transaction. @internal */
export interface IndexedTransaction {
  readonly side: 'client' | 'server';
  readonly key: string;
  readonly mergeKey?: string;
  readonly ackKey?: string;
}

export abstract class TransactionBase {
  private rtxHandle: unknown = undefined;
  private mainHandle: unknown = undefined;
  private rtxFn: (() => void) | undefined = undefined;
  private mainFn: (() => void) | undefined = undefined;
  /** Current retransmission interval of the rtx slot. */
  protected interval = 0;

  protected constructor(
    protected readonly core: LayerCore,
    readonly reliable: boolean,
  ) {}

  protected abstract onRtxTimer(): void;
  protected abstract onMainTimer(): void;

  protected armRtx(ms: number): void {
    if (this.rtxHandle !== undefined) this.core.host.clear(this.rtxHandle);
    this.interval = ms;
    this.rtxHandle = this.core.host.set(
      ms,
      (this.rtxFn ??= () => {
        this.rtxHandle = undefined;
        this.onRtxTimer();
      }),
    );
  }

  protected armMain(ms: number): void {
    if (this.mainHandle !== undefined) this.core.host.clear(this.mainHandle);
    this.mainHandle = this.core.host.set(
      ms,
      (this.mainFn ??= () => {
        this.mainHandle = undefined;
        this.onMainTimer();
      }),
    );
  }

  protected clearRtx(): void {
    if (this.rtxHandle === undefined) return;
    this.core.host.clear(this.rtxHandle);
    this.rtxHandle = undefined;
  }

  protected clearMain(): void {
    if (this.mainHandle === undefined) return;
    this.core.host.clear(this.mainHandle);
    this.mainHandle = undefined;
  }

  protected clearTimers(): void {
    this.clearRtx();
    this.clearMain();
  }
}
