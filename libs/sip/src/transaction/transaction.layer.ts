// The transaction layer (RFC 3261 §17): matches every message from the transports to a
// client or server transaction, creates server transactions for new requests, and answers
// what the TU never needs to see (retransmissions, CANCEL, merged requests).

import { createResponse } from '../message/message.factory';
import type { SipRequest, SipResponse } from '../message/message';
import { SipParseError } from '../message/parse-error';
import type { Via } from '../message/via';
import { hasMagicCookie, MAGIC_COOKIE, newTag } from './branch';
import { AnyClientTransaction, InviteClientTransaction, NonInviteClientTransaction } from './client.transaction';
import { AnyServerTransaction, InviteServerTransaction, NonInviteServerTransaction } from './server.transaction';
import { IndexedTransaction, LayerCore } from './transaction.base';
import { realTimerHost, TimerValues, timerValues } from './timer-host';
import type { ClientTransaction, ClientTransactionHandler, DropReason, Peer, TimerHost, TransactionLayerOptions, TransactionUser } from './transaction.types';

const SEP = '|';

/** sent-by of a Via: host (lower-cased) and port as written (§17.2.3 compares sent-by). */
function sentBy(via: Via): string {
  const host = via.host.toLowerCase();
  return via.port === undefined ? host : host + ':' + via.port;
}

/**
 * The key of a request's server transaction for `method` (ACK and CANCEL look up 'INVITE').
 * §17.2.3: branch, sent-by and method when the branch carries the magic cookie. Otherwise the
 * RFC 2543 fallback of §17.2.3: Request-URI, To tag, From tag, Call-ID, CSeq and top Via.
 * Request-URIs are compared as text, and the top Via by transport, sent-by and branch.
 */
function serverKey(req: SipRequest, via: Via, method: string, toTag: string | undefined): string {
  const branch = via.branch;
  if (hasMagicCookie(branch)) return branch + SEP + sentBy(via) + SEP + method;
  return (
    '2543' + SEP + req.uriText + SEP + (toTag ?? '') + SEP + (req.from().tag ?? '') + SEP + req.callId() + SEP + req.cseq().seq + ' ' + method + SEP + via.transport + ' ' + sentBy(via) + ';' + (branch ?? '')
  );
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

class TransactionCore implements LayerCore {
  readonly t: TimerValues;
  readonly host: TimerHost;
  readonly autoTrying: boolean;
  readonly clients = new Map<string, AnyClientTransaction>();
  readonly servers = new Map<string, AnyServerTransaction>();
  /** §8.2.2.2: From tag, Call-ID, CSeq of live server transactions created by requests without a To tag. */
  private readonly merge = new Map<string, AnyServerTransaction>();
  /** §13.3.1.4: Call-ID, CSeq number, To tag of INVITE server transactions in Accepted. */
  private readonly acks = new Map<string, InviteServerTransaction>();
  private readonly deferred = new Set<unknown>();
  private readonly transport: (message: SipRequest | SipResponse, peer: Peer) => void;
  private readonly tu: TransactionUser;
  private readonly onDrop: TransactionLayerOptions['onDrop'];
  readonly newTag: () => string;
  closed = false;

  constructor(o: TransactionLayerOptions) {
    this.t = timerValues(o.timers);
    this.host = o.scheduler ?? realTimerHost;
    this.autoTrying = o.autoTrying ?? true;
    this.transport = o.send;
    this.tu = o.tu;
    this.onDrop = o.onDrop;
    this.newTag = o.newTag ?? newTag;
  }

  // ---- LayerCore -------------------------------------------------------------------------

  trySend(message: SipRequest | SipResponse, peer: Peer): Error | undefined {
    try {
      this.transport(message, peer);
      return undefined;
    } catch (e) {
      return asError(e);
    }
  }

  defer(fn: () => void): void {
    const handle: unknown = this.host.set(0, () => {
      this.deferred.delete(handle);
      fn();
    });
    this.deferred.add(handle);
  }

  drop(reason: DropReason, message: SipRequest | SipResponse, peer: Peer): void {
    this.onDrop?.(reason, message, peer);
  }

  ended(tx: IndexedTransaction): void {
    if (tx.side === 'client') {
      if (this.clients.get(tx.key) === tx) this.clients.delete(tx.key);
      return;
    }
    if (this.servers.get(tx.key) === tx) this.servers.delete(tx.key);
    if (tx.mergeKey !== undefined && this.merge.get(tx.mergeKey) === tx) this.merge.delete(tx.mergeKey);
    if (tx.ackKey !== undefined && this.acks.get(tx.ackKey) === tx) this.acks.delete(tx.ackKey);
  }

  indexAck(key: string, tx: IndexedTransaction): void {
    if (tx instanceof InviteServerTransaction) this.acks.set(key, tx);
  }

  sendRequest(request: SipRequest, peer: Peer, handler: ClientTransactionHandler): ClientTransaction {
    if (this.closed) throw new Error('SIP transaction layer is closed');
    const method = request.method;
    if (method === 'ACK') throw new TypeError('an ACK is not a transaction: send it with sendStateless() (RFC 3261 §13.2.2.4, §17.1.1.3)');
    const branch = request.topVia()?.branch;
    if (!hasMagicCookie(branch)) throw new TypeError(`the top Via of a ${method} needs a branch starting with ${MAGIC_COOKIE} (newBranch()), got ${branch ?? 'none'}`);
    if (request.cseq().method !== method) throw new TypeError(`CSeq method ${request.cseq().method} does not match the ${method} request (RFC 3261 §8.1.1.5)`);
    const key = branch + SEP + method;
    if (this.clients.has(key)) throw new Error(`a client transaction for ${key} is already running`);
    const tx = method === 'INVITE' ? new InviteClientTransaction(this, key, request, peer, handler) : new NonInviteClientTransaction(this, key, request, peer, handler);
    this.clients.set(key, tx);
    tx.start();
    return tx;
  }

  // ---- from the transports -----------------------------------------------------------------

  receive(message: SipRequest | SipResponse, peer: Peer): void {
    if (this.closed) this.drop('closed', message, peer);
    else if (message.kind === 'response') this.receiveResponse(message, peer);
    else this.receiveRequest(message, peer);
  }

  private receiveResponse(res: SipResponse, peer: Peer): void {
    let key: string | undefined;
    try {
      // §17.1.3: the top Via branch and the CSeq method
      const branch = res.topVia()?.branch;
      if (branch !== undefined) key = branch + SEP + res.cseq().method;
    } catch (e) {
      if (e instanceof SipParseError) return this.drop('malformed', res, peer);
      throw e;
    }
    const tx = key === undefined ? undefined : this.clients.get(key);
    if (tx !== undefined) tx.receive(res);
    else if (this.tu.onStrayResponse !== undefined) this.tu.onStrayResponse(res, peer);
    else this.drop('stray-response', res, peer);
  }

  private receiveRequest(req: SipRequest, peer: Peer): void {
    let via: Via | undefined;
    let toTag: string | undefined;
    try {
      // what matching reads; a parsed message has these cached already
      via = req.topVia();
      req.cseq();
      req.callId();
      req.from();
      toTag = req.to().tag;
    } catch (e) {
      if (e instanceof SipParseError) return this.drop('malformed', req, peer);
      throw e;
    }
    if (via === undefined) return this.drop('malformed', req, peer);
    const method = req.method;
    if (method === 'ACK') return this.receiveAck(req, via, toTag, peer);

    const key = serverKey(req, via, method, toTag);
    const existing = this.servers.get(key);
    if (existing !== undefined) return existing.receiveRetransmission();
    if (method === 'CANCEL') return this.receiveCancel(req, via, key, toTag, peer);

    let mergeKey: string | undefined;
    if (toTag === undefined) {
      // §8.2.2.2: same From tag, Call-ID and CSeq as a live transaction it does not match
      // (a request that forked and came back by two paths) → 482.
      mergeKey = (req.from().tag ?? '') + SEP + req.callId() + SEP + req.cseq().seq + ' ' + method;
      if (this.merge.has(mergeKey)) {
        this.answerAlone(req, key, peer, 482);
        return;
      }
    }
    const tx = method === 'INVITE' ? new InviteServerTransaction(this, key, req, peer) : new NonInviteServerTransaction(this, key, req, peer);
    this.servers.set(key, tx);
    if (mergeKey !== undefined) {
      tx.mergeKey = mergeKey;
      this.merge.set(mergeKey, tx);
    }
    try {
      this.tu.onRequest(req, tx, peer);
    } catch (e) {
      // A TU that throws would leave the transaction unanswered forever: answer 500 for it.
      if (tx.finalStatus === undefined && tx.state !== 'Terminated') tx.respond(createResponse(req, 500, undefined, undefined, { toTag: this.newTag() }));
      throw e;
    }
    if (this.autoTrying && tx instanceof InviteServerTransaction) tx.startTryingTimer();
  }

  /** A server transaction the TU never sees, answered at once (482, 481). */
  private answerAlone(req: SipRequest, key: string, peer: Peer, status: number): void {
    const tx = req.method === 'INVITE' ? new InviteServerTransaction(this, key, req, peer) : new NonInviteServerTransaction(this, key, req, peer);
    this.servers.set(key, tx);
    tx.respond(createResponse(req, status, undefined, undefined, { toTag: this.newTag() }));
  }

  /** §9.2: a CANCEL is answered here, 200 when it matches an INVITE server transaction, else 481. */
  private receiveCancel(cancel: SipRequest, via: Via, key: string, toTag: string | undefined, peer: Peer): void {
    const target = this.servers.get(serverKey(cancel, via, 'INVITE', toTag));
    if (!(target instanceof InviteServerTransaction)) {
      this.answerAlone(cancel, key, peer, 481);
      return;
    }
    const tx = new NonInviteServerTransaction(this, key, cancel, peer);
    this.servers.set(key, tx);
    tx.respond(createResponse(cancel, 200, undefined, undefined, { toTag: target.tagForCancel(this.newTag) }));
    // "If [the UAS] has already sent a final response, the CANCEL has no effect."
    if (target.finalStatus === undefined && target.state === 'Proceeding') this.tu.onCancel(target, cancel);
  }

  private receiveAck(ack: SipRequest, via: Via, toTag: string | undefined, peer: Peer): void {
    const invite = this.inviteForAck(ack, via, toTag);
    if (invite !== undefined && (invite.state === 'Completed' || invite.state === 'Confirmed')) {
      invite.receiveAck(ack); // the ACK for our non-2xx belongs to the INVITE transaction (§17.2.1)
      return;
    }
    // The ACK for a 2xx is no part of the INVITE transaction (§17.1.1.3): it goes to the TU
    // (RFC 6026 §8.7), after stopping our 2xx retransmissions (§13.3.1.4).
    const accepted = this.acks.get(ack.callId() + SEP + ack.cseq().seq + SEP + (toTag ?? ''));
    if (accepted !== undefined) accepted.receive2xxAck(ack);
    this.tu.onRequest(ack, undefined, peer);
  }

  private inviteForAck(ack: SipRequest, via: Via, toTag: string | undefined): InviteServerTransaction | undefined {
    const first = this.servers.get(serverKey(ack, via, 'INVITE', toTag));
    if (first instanceof InviteServerTransaction) return first;
    if (hasMagicCookie(via.branch) || toTag === undefined) return undefined;
    // RFC 2543: the ACK carries the To tag of our response, which the INVITE did not have.
    const second = this.servers.get(serverKey(ack, via, 'INVITE', undefined));
    return second instanceof InviteServerTransaction && second.toTag === toTag ? second : undefined;
  }

  close(): void {
    this.closed = true;
    for (const tx of this.clients.values()) tx.shutdown();
    for (const tx of this.servers.values()) tx.shutdown();
    this.clients.clear();
    this.servers.clear();
    this.merge.clear();
    this.acks.clear();
    for (const h of this.deferred) this.host.clear(h);
    this.deferred.clear();
  }
}

/**
 * RFC 3261 §17 transactions with RFC 6026's Accepted state, for a UA or B2BUA. Feed it
 * every parsed message; it calls `options.send` for what goes out and `options.tu` for what
 * the transaction user must see. See libs/sip/README.md, "Transactions".
 */
export class TransactionLayer {
  private readonly core: TransactionCore;

  constructor(options: TransactionLayerOptions) {
    this.core = new TransactionCore(options);
  }

  /** Feed every parsed message from the transports. Matches client/server transactions (§17.1.3, §17.2.3), absorbs retransmissions (re-sending the last response), detects merged requests (§8.2.2.2 → 482 automatically), answers CANCEL (200, or 481 when nothing matches), routes ACK for non-2xx into the INVITE server tx and ACK for 2xx to the TU. */
  receive(message: SipRequest | SipResponse, peer: Peer): void {
    this.core.receive(message, peer);
  }

  /** Starts a client transaction; the request's top Via must carry a branch (use newBranch()). Throws TypeError for an ACK, a branch without the magic cookie or a CSeq method unlike the request's. */
  sendRequest(request: SipRequest, peer: Peer, handler: ClientTransactionHandler): ClientTransaction {
    return this.core.sendRequest(request, peer, handler);
  }

  /** Sends outside any transaction (ACK for 2xx, stateless replies). An error of send() is thrown to the caller. */
  sendStateless(message: SipRequest | SipResponse, peer: Peer): void {
    if (this.core.closed) throw new Error('SIP transaction layer is closed');
    const err = this.core.trySend(message, peer);
    if (err !== undefined) throw err;
  }

  /** Live transactions, for metrics and leak tests. */
  counts(): { client: number; server: number } {
    return { client: this.core.clients.size, server: this.core.servers.size };
  }

  /** Clears every timer; no callback fires after. Later messages are dropped ('closed'). */
  close(): void {
    this.core.close();
  }
}
