// The layer around the machines: matching (RFC 3261 §17.1.3, §17.2.3 with its RFC 2543
// fallback), CANCEL (§9.2), merged requests (§8.2.2.2), ACK routing, stray responses,
// bad input, close().

import { SipRequest, SipResponse } from '../message/message';
import { SipHeaders } from '../message/headers';
import { hasMagicCookie, MAGIC_COOKIE, newBranch } from './branch';
import { FakeClock } from './fake-clock';
import { TransactionLayer } from './transaction.layer';
import { answer, Harness, harnessPerTest, reply, request, sibling, TCP, UDP, wire } from './transaction.test-harness';
import type { ServerTransaction } from './transaction.types';

const T1 = 500;
const T4 = 5000;
const X64 = 64 * T1;

let h: Harness;
harnessPerTest((fresh) => (h = fresh), () => h);


describe('server matching (RFC 3261 §17.2.3)', () => {
  it('the same branch from another sent-by is another transaction', () => {
    const a = request('OPTIONS', { branch: 'z9hG4bKsame', host: 'a.example.com' });
    const b = request('OPTIONS', { branch: 'z9hG4bKsame', host: 'b.example.com', callId: a.callId(), fromTag: 'other' });
    const ta = h.serve(a);
    const tb = h.serve(b);
    expect(ta).not.toBe(tb);
    answer(ta, 200);
    answer(tb, 200);
    h.clock.advance(X64);
  });

  it('sent-by compares the host case-insensitively and the port as written', () => {
    const a = request('OPTIONS', { branch: 'z9hG4bKcase', host: 'PC33.Example.COM', port: 5060 });
    const tx = h.serve(a);
    h.receive(request('OPTIONS', { branch: 'z9hG4bKcase', host: 'pc33.example.com', port: 5060, callId: a.callId() }));
    expect(h.requests).toHaveLength(1);
    h.receive(request('OPTIONS', { branch: 'z9hG4bKcase', host: 'pc33.example.com', callId: a.callId(), fromTag: 'x' })); // no port: another sent-by
    expect(h.requests).toHaveLength(2);
    answer(tx, 200);
    answer(h.requests[1].tx as ServerTransaction, 200);
    h.clock.advance(X64);
  });

  it('the same branch with another method is another transaction', () => {
    const a = request('OPTIONS', { branch: 'z9hG4bKm' });
    const b = request('INFO', { branch: 'z9hG4bKm', callId: a.callId(), cseq: 2 });
    answer(h.serve(a), 200);
    answer(h.serve(b), 200);
    expect(h.requests.map((r) => r.request.method)).toEqual(['OPTIONS', 'INFO']);
    h.clock.advance(X64);
  });

  it('a request from the other transport reaches the TU with its peer (responses go back on that connection)', () => {
    const tx = h.serve(request('MESSAGE', { transport: 'TCP' }), TCP);
    expect(tx.peer).toEqual(TCP);
    answer(tx, 200);
    expect(h.sentResponses(200)[0].peer).toEqual(TCP);
  });
});

describe('client matching (RFC 3261 §17.1.3)', () => {
  it('a response matches by top Via branch and CSeq method: the CANCEL\'s 200 does not reach the INVITE', () => {
    const inv = request('INVITE');
    const { tx, events } = h.client(inv);
    h.receive(reply(inv, 180));
    tx.cancel();
    const cancel = h.sentRequests('CANCEL')[0].message;
    h.receive(reply(cancel, 200));
    expect(events.map((e) => e.kind === 'response' && e.status)).toEqual([180]);
    h.receive(reply(inv, 487));
    h.clock.advance(32000);
  });

  it('a response with a branch nobody sent goes to onStrayResponse', () => {
    h.receive(reply(request('INVITE'), 200));
    expect(h.strays.map((r) => r.status)).toEqual([200]);
  });

  it('without onStrayResponse, a stray response is dropped and reported (stray-response)', () => {
    h = new Harness({ withStrayHandler: false });
    h.receive(reply(request('OPTIONS'), 200));
    expect(h.drops.map((d) => d.reason)).toEqual(['stray-response']);
  });

  it('two client transactions in flight each get their own responses', () => {
    const a = request('OPTIONS');
    const b = request('OPTIONS');
    const ca = h.client(a);
    const cb = h.client(b);
    h.receive(reply(b, 404));
    h.receive(reply(a, 200));
    expect(ca.events.map((e) => e.kind === 'response' && e.status)).toEqual([200]);
    expect(cb.events.map((e) => e.kind === 'response' && e.status)).toEqual([404]);
    h.clock.advance(T4);
  });
});

describe('CANCEL received (RFC 3261 §9.2)', () => {
  it('CANCEL without a matching INVITE → 481, the TU is not told; a retransmitted CANCEL gets the 481 again', () => {
    const cancel = request('CANCEL');
    h.receive(cancel);
    h.clock.advance(T1);
    h.receive(cancel);
    expect(h.sentResponses().map((s) => [s.message.status, s.at])).toEqual([
      [481, 0],
      [481, T1],
    ]);
    expect(h.sentResponses(481)[0].message.to().tag).toBeDefined();
    expect(h.requests).toEqual([]);
    expect(h.cancels).toEqual([]);
    h.clock.advance(X64);
  });

  it('CANCEL matching an INVITE in Proceeding → 200 with the To tag of the provisional, then onCancel; the TU answers 487 and the ACK confirms it', () => {
    const inv = request('INVITE');
    const tx = h.serve(inv);
    answer(tx, 180, 'ring-tag');
    h.receive(sibling(inv, 'CANCEL'));
    const ok = h.sentResponses(200);
    expect(ok.map((s) => [s.message.cseq().method, s.message.to().tag])).toEqual([['CANCEL', 'ring-tag']]);
    expect(h.cancels.map((c) => c.tx)).toEqual([tx]);
    expect(h.requests).toHaveLength(1); // the CANCEL itself is not a request for the TU
    answer(tx, 487, 'ring-tag');
    h.receive(sibling(inv, 'ACK', { toTag: 'ring-tag' }));
    expect(tx.state).toBe('Confirmed');
    h.clock.advance(X64);
  });

  it('CANCEL before any tagged response: the 200 gets a new tag, which the INVITE transaction offers as toTag for the 487', () => {
    const inv = request('INVITE');
    const tx = h.serve(inv);
    expect(tx.toTag).toBeUndefined();
    h.receive(sibling(inv, 'CANCEL'));
    const tag = h.sentResponses(200)[0].message.to().tag;
    expect(tag).toMatch(/^lt\d+$/);
    expect(tx.toTag).toBe(tag);
    answer(tx, 487, tag);
    h.receive(sibling(inv, 'ACK', { toTag: tag }));
    h.clock.advance(T4);
    expect(tx.state).toBe('Terminated');
    expect(h.layer.counts().server).toBe(1); // the CANCEL's own transaction waits out Timer J
    h.clock.advance(X64);
  });

  it('CANCEL after the INVITE got its final response → 200, but the TU is not told (no effect, §9.2)', () => {
    const inv = request('INVITE');
    const tx = h.serve(inv);
    answer(tx, 486);
    h.receive(sibling(inv, 'CANCEL'));
    expect(h.sentResponses(200).map((s) => s.message.cseq().method)).toEqual(['CANCEL']);
    expect(h.cancels).toEqual([]);
    h.receive(sibling(inv, 'ACK', { toTag: 'uas-tag' }));
    h.clock.advance(X64);
  });

  it('a CANCEL from another sent-by does not match the INVITE → 481', () => {
    const inv = request('INVITE', { host: 'a.example.com' });
    const tx = h.serve(inv);
    h.receive(request('CANCEL', { branch: inv.topVia()?.branch, host: 'b.example.com', callId: inv.callId() }));
    expect(h.sentResponses(481)).toHaveLength(1);
    expect(h.cancels).toEqual([]);
    answer(tx, 486);
    h.clock.advance(X64);
  });

  it('a retransmitted CANCEL gets the 200 again and onCancel is not repeated', () => {
    const inv = request('INVITE');
    const tx = h.serve(inv);
    answer(tx, 180);
    const cancel = sibling(inv, 'CANCEL');
    h.receive(cancel);
    h.receive(cancel);
    expect(h.sentResponses(200)).toHaveLength(2);
    expect(h.cancels).toHaveLength(1);
    answer(tx, 487);
    h.clock.advance(X64);
  });

  it('a CANCEL over a reliable transport: 200 and its transaction ends at once', () => {
    const inv = request('INVITE', { transport: 'TCP' });
    const tx = h.serve(inv, TCP);
    answer(tx, 180);
    h.receive(sibling(inv, 'CANCEL'), TCP);
    expect(h.layer.counts().server).toBe(1);
    answer(tx, 487);
    h.receive(sibling(inv, 'ACK', { toTag: 'uas-tag' }), TCP);
  });
});

describe('merged requests (RFC 3261 §8.2.2.2)', () => {
  it('same From tag, Call-ID and CSeq as a live transaction but another branch, no To tag → 482 without asking the TU', () => {
    const first = request('INVITE', { callId: 'fork@x', fromTag: 'f1', cseq: 7 });
    const second = request('INVITE', { callId: 'fork@x', fromTag: 'f1', cseq: 7, host: 'proxy2.example.com' });
    const tx = h.serve(first);
    h.receive(second);
    const merged = h.sentResponses(482);
    expect(merged).toHaveLength(1);
    expect(merged[0].message.topVia()?.host).toBe('proxy2.example.com');
    expect(h.requests).toHaveLength(1);
    h.clock.advance(T1);
    h.receive(second); // its retransmission: the 482 again (it is a transaction of its own)
    expect(h.sentResponses(482).length).toBeGreaterThanOrEqual(2);
    h.receive(sibling(second, 'ACK', { toTag: merged[0].message.to().tag }));
    answer(tx, 486);
    h.clock.advance(X64);
  });

  it('a merged non-INVITE request → 482 as well', () => {
    const first = request('MESSAGE', { callId: 'm@x', fromTag: 'f2', cseq: 1 });
    const tx = h.serve(first);
    h.receive(request('MESSAGE', { callId: 'm@x', fromTag: 'f2', cseq: 1, host: 'other.example.com' }));
    expect(h.sentResponses(482)).toHaveLength(1);
    answer(tx, 200);
    h.clock.advance(X64);
  });

  it('a request with a To tag (inside a dialog) is not checked for merging', () => {
    const a = request('INFO', { callId: 'd@x', fromTag: 'f3', cseq: 5, toTag: 'dlg' });
    const b = request('INFO', { callId: 'd@x', fromTag: 'f3', cseq: 5, toTag: 'dlg', host: 'other.example.com' });
    answer(h.serve(a), 200);
    answer(h.serve(b), 200);
    expect(h.sentResponses(482)).toEqual([]);
    h.clock.advance(X64);
  });

  it('once the first transaction has ended, the same From tag, Call-ID and CSeq is no longer a merge', () => {
    const a = request('OPTIONS', { callId: 'e@x', fromTag: 'f4', cseq: 1 });
    answer(h.serve(a), 200);
    h.clock.advance(X64);
    answer(h.serve(request('OPTIONS', { callId: 'e@x', fromTag: 'f4', cseq: 1, host: 'other.example.com' })), 200);
    expect(h.sentResponses(482)).toEqual([]);
    h.clock.advance(X64);
  });
});

describe('ACK routing', () => {
  it('an ACK to a 2xx with no transaction left is passed to the TU with no transaction', () => {
    const ack = request('ACK', { toTag: 'some-dialog' });
    h.receive(ack);
    expect(h.requests.map((r) => [r.request.method, r.tx])).toEqual([['ACK', undefined]]);
  });

  it('an ACK matching an INVITE still in Proceeding is not absorbed: it goes to the TU', () => {
    const inv = request('INVITE');
    const tx = h.serve(inv);
    h.receive(sibling(inv, 'ACK', { toTag: 'x' }));
    expect(h.requests.map((r) => r.request.method)).toEqual(['INVITE', 'ACK']);
    expect(tx.state).toBe('Proceeding');
    answer(tx, 486);
    h.clock.advance(X64);
  });
});

describe('RFC 2543 peers: branch without the magic cookie (§17.2.3 fallback)', () => {
  it('a retransmitted INVITE is matched by Request-URI, tags, Call-ID, CSeq and top Via', () => {
    const inv = request('INVITE', { branch: '' });
    const tx = h.serve(inv);
    answer(tx, 180);
    h.receive(inv);
    expect(h.requests).toHaveLength(1);
    expect(h.sentResponses(180)).toHaveLength(2);
    answer(tx, 486);
    h.receive(sibling(inv, 'ACK', { toTag: 'uas-tag' })); // the ACK carries our To tag, the INVITE had none
    expect(tx.state).toBe('Confirmed');
    h.clock.advance(T4);
  });

  it('an old-style branch (no cookie) is part of the top Via compared', () => {
    const inv = request('INVITE', { branch: '1234abcd' });
    const tx = h.serve(inv);
    h.receive(request('INVITE', { branch: '5678', callId: inv.callId(), fromTag: 'x' }));
    expect(h.requests).toHaveLength(2);
    answer(tx, 486);
    answer(h.requests[1].tx as ServerTransaction, 486);
    h.clock.advance(X64);
  });

  it('a CANCEL is matched to the INVITE the same way', () => {
    const inv = request('INVITE', { branch: '' });
    const tx = h.serve(inv);
    answer(tx, 180);
    h.receive(sibling(inv, 'CANCEL'));
    expect(h.cancels.map((c) => c.tx)).toEqual([tx]);
    answer(tx, 487);
    h.clock.advance(X64);
  });

  it('another Call-ID is another transaction', () => {
    const a = request('OPTIONS', { branch: '' });
    const b = request('OPTIONS', { branch: '' });
    answer(h.serve(a), 200);
    answer(h.serve(b), 200);
    expect(h.requests).toHaveLength(2);
    h.clock.advance(X64);
  });

  it('an ACK whose To tag is not the one we answered with goes to the TU', () => {
    const inv = request('INVITE', { branch: '' });
    const tx = h.serve(inv);
    answer(tx, 486);
    h.receive(sibling(inv, 'ACK', { toTag: 'not-ours' }));
    expect(tx.state).toBe('Completed');
    expect(h.requests.map((r) => r.request.method)).toEqual(['INVITE', 'ACK']);
    h.clock.advance(X64);
  });
});

describe('bad input and misuse', () => {
  it('a request whose CSeq does not parse is dropped as malformed, never thrown', () => {
    const bad = new SipRequest('OPTIONS', 'sip:bob@biloxi.example.com', new SipHeaders([
      ['Via', 'SIP/2.0/UDP a.example.com;branch=z9hG4bKbad'],
      ['From', '<sip:a@example.com>;tag=1'],
      ['To', '<sip:b@example.com>'],
      ['Call-ID', 'bad@x'],
      ['CSeq', 'one OPTIONS'],
    ]));
    expect(() => h.layer.receive(bad, UDP)).not.toThrow();
    expect(h.drops.map((d) => d.reason)).toEqual(['malformed']);
    expect(h.requests).toEqual([]);
  });

  it('a response whose Via does not parse is dropped as malformed', () => {
    const res = reply(request('OPTIONS'), 200);
    res.headers.set('Via', 'SIP/2.0/UDP host:99999;branch=z9hG4bKx');
    h.layer.receive(res, UDP);
    expect(h.drops.map((d) => d.reason)).toEqual(['malformed']);
  });

  it('sendRequest refuses an ACK, a branch without the magic cookie, a CSeq of another method, and a duplicate', () => {
    const handler = { onResponse: () => undefined, onTimeout: () => undefined };
    expect(() => h.layer.sendRequest(request('ACK'), UDP, handler)).toThrow(/sendStateless/);
    expect(() => h.layer.sendRequest(request('INVITE', { branch: 'abc' }), UDP, handler)).toThrow(TypeError);
    const mismatch = request('INVITE');
    mismatch.method = 'OPTIONS';
    expect(() => h.layer.sendRequest(mismatch, UDP, handler)).toThrow(/CSeq/);
    const inv = request('OPTIONS');
    h.layer.sendRequest(inv, UDP, handler);
    expect(() => h.layer.sendRequest(inv, UDP, handler)).toThrow(/already running/);
    h.receive(reply(inv, 200));
    h.clock.advance(T4);
    expect(h.sent).toHaveLength(1);
  });

  it('sendStateless sends outside any transaction and passes a send() error to the caller', () => {
    const ack = request('ACK', { toTag: 't' });
    h.layer.sendStateless(ack, UDP);
    expect(h.sentRequests('ACK').map((s) => s.message)).toEqual([ack]);
    expect(h.layer.counts()).toEqual({ client: 0, server: 0 });
    h.failSend = () => true;
    expect(() => h.layer.sendStateless(ack, UDP)).toThrow('connection reset');
  });

  it.each([{ T1: 0 }, { T2: -1 }, { T1: 1000, T2: 500 }, { C: -5 }, { T4: Number.NaN }])('rejects timers %p with RangeError', (timers) => {
    expect(() => new TransactionLayer({ send: () => undefined, tu: { onRequest: () => undefined, onCancel: () => undefined }, timers })).toThrow(RangeError);
  });
});

describe('a transport that hands messages back from inside send() (loopback)', () => {
  const once = (fn: (m: SipRequest | SipResponse) => void) => {
    let done = false;
    return (m: SipRequest | SipResponse) => {
      if (done) return;
      done = true;
      fn(m);
    };
  };

  it('INVITE client, reliable: a 486 from inside send() → ACK sent, Terminated, no timer left', () => {
    const inv = request('INVITE', { transport: 'TCP' });
    h.onSend = once(() => h.receive(reply(inv, 486), TCP));
    const { tx, events } = h.client(inv, TCP);
    expect(tx.state).toBe('Terminated');
    expect(events.map((e) => e.kind === 'response' && e.status)).toEqual([486]);
    expect(h.sentRequests('ACK')).toHaveLength(1);
  });

  it('INVITE client, unreliable: a 200 from inside send() → Accepted with Timer M only (no Timer A)', () => {
    const inv = request('INVITE');
    h.onSend = once(() => h.receive(reply(inv, 200)));
    const { tx } = h.client(inv);
    expect(tx.state).toBe('Accepted');
    expect(h.clock.dueTimes()).toEqual([X64]);
    h.clock.advance(X64);
    expect(h.sentRequests('INVITE')).toHaveLength(1);
  });

  it('non-INVITE client, reliable: the final response from inside send() → Terminated, nothing armed', () => {
    const req = request('OPTIONS', { transport: 'TCP' });
    h.onSend = once(() => h.receive(reply(req, 200), TCP));
    const { tx } = h.client(req, TCP);
    expect(tx.state).toBe('Terminated');
  });

  it('INVITE server: the ACK for the 2xx arriving from inside send() stops the 2xx retransmission', () => {
    const inv = request('INVITE');
    const tx = h.serve(inv);
    h.onSend = once(() => h.receive(sibling(inv, 'ACK', { branch: 'z9hG4bKloop', toTag: 'uas-tag' })));
    answer(tx, 200);
    h.clock.advance(X64);
    expect(h.sentResponses(200)).toHaveLength(1);
  });

  it('INVITE server: the ACK for a non-2xx arriving from inside send() → Confirmed, no Timer G', () => {
    const inv = request('INVITE');
    const tx = h.serve(inv);
    h.onSend = once(() => h.receive(sibling(inv, 'ACK', { toTag: 'uas-tag' })));
    answer(tx, 486);
    expect(tx.state).toBe('Confirmed');
    expect(h.clock.dueTimes()).toEqual([T4]);
    h.clock.advance(T4);
    expect(h.sentResponses(486)).toHaveLength(1);
  });
});

describe('close()', () => {
  it('clears every timer, forgets every transaction, and no callback fires after', () => {
    const inv = request('INVITE');
    const { events } = h.client(inv);
    const srv = h.serve(request('INVITE'));
    const ev = h.watch(srv);
    answer(srv, 486);
    h.failSend = (m) => m.kind === 'request' && m.method === 'OPTIONS';
    const failing = h.client(request('OPTIONS')); // its transport error is pending on the clock
    expect(h.clock.pending()).toBeGreaterThan(0);
    h.layer.close();
    expect(h.clock.pending()).toBe(0);
    expect(h.layer.counts()).toEqual({ client: 0, server: 0 });
    h.clock.advance(10 * X64);
    expect(events).toEqual([]);
    expect(failing.events).toEqual([]);
    expect(ev).toEqual({ acks: [], ackTimeouts: [], terminated: [], transportErrors: [] });
  });

  it('after close, received messages are dropped (closed) and sendRequest throws', () => {
    h.layer.close();
    h.receive(request('OPTIONS'));
    expect(h.drops.map((d) => d.reason)).toEqual(['closed']);
    expect(h.requests).toEqual([]);
    expect(() => h.client(request('OPTIONS'))).toThrow(/closed/);
  });
});

describe('branch ids (RFC 3261 §8.1.1.7)', () => {
  it('newBranch() starts with the magic cookie and does not repeat', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 10_000; i++) seen.add(newBranch());
    expect(seen.size).toBe(10_000);
    for (const b of [...seen].slice(0, 20)) {
      expect(b.startsWith(MAGIC_COOKIE)).toBe(true);
      expect(hasMagicCookie(b)).toBe(true);
      expect(b).toMatch(/^z9hG4bK[0-9a-f]{24}$/);
    }
    expect(hasMagicCookie('z9hg4bk123')).toBe(false);
    expect(hasMagicCookie(undefined)).toBe(false);
  });

  it('a request with our branch survives the wire', () => {
    expect(wire(request('OPTIONS', { branch: newBranch() })).topVia()?.branch).toMatch(/^z9hG4bK/);
  });
});

describe('FakeClock', () => {
  it('fires timers in due order, ties in the order they were set, including timers set while advancing', () => {
    const c = new FakeClock();
    const log: string[] = [];
    c.set(20, () => log.push('b@' + c.now));
    c.set(10, () => {
      log.push('a@' + c.now);
      c.set(5, () => log.push('c@' + c.now));
    });
    c.set(20, () => log.push('d@' + c.now));
    c.advance(30);
    expect(log).toEqual(['a@10', 'c@15', 'b@20', 'd@20']);
    expect(c.now).toBe(30);
    expect(c.pending()).toBe(0);
  });

  it('clear() disarms; next() jumps to the next timer; runAll() stops a timer that re-arms forever', () => {
    const c = new FakeClock();
    const fired: number[] = [];
    const h1 = c.set(5, () => fired.push(5));
    c.set(7, () => fired.push(7));
    c.clear(h1);
    expect(c.next()).toBe(7);
    expect(fired).toEqual([7]);
    expect(c.next()).toBeUndefined();
    const again = (): void => void c.set(1, again);
    again();
    expect(() => c.runAll(100)).toThrow(/still 1 timers/);
    expect(() => c.advance(-1)).toThrow(RangeError);
  });
});
