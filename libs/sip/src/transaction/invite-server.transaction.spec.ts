// INVITE server transaction: RFC 3261 §17.2.1 (Figure 7), §13.3.1.4 (2xx retransmission),
// RFC 6026 §8.5–§8.7 (Accepted, Timer L).

import { answer, Harness, harnessPerTest, reply, request, sibling, TCP, UDP } from './transaction.test-harness';

const T1 = 500;
const T2 = 4000;
const T4 = 5000;
const H = 64 * T1;

let h: Harness;
harnessPerTest((fresh) => (h = fresh), () => h);

const sentAt = (status: number) => h.sentResponses(status).map((s) => s.at);
/** G or 2xx retransmission times after a final sent at `from`: T1, 2T1, 4T1 … capped at T2, before `until`. */
function capped(from: number, until: number): number[] {
  const out = [from];
  let interval = T1;
  for (let t = from + interval; t < until; t += interval) {
    out.push(t);
    interval = Math.min(interval * 2, T2);
  }
  return out;
}

describe('INVITE server: Proceeding (RFC 3261 §17.2.1)', () => {
  it('a new INVITE creates a server transaction in Proceeding and goes to the TU with it', () => {
    const inv = request('INVITE');
    const tx = h.serve(inv);
    expect(tx.state).toBe('Proceeding');
    expect(tx.request.callId()).toBe(inv.callId());
    expect(h.requests[0].peer).toEqual(UDP);
    expect(h.layer.counts()).toEqual({ client: 0, server: 1 });
    answer(tx, 486);
    h.receive(sibling(inv, 'ACK', { toTag: 'uas-tag' }));
    h.clock.advance(T4);
  });

  it('MUST send 100 Trying when the TU has not answered within 200 ms', () => {
    const tx = h.serve(request('INVITE'));
    h.clock.advance(199);
    expect(h.sent).toEqual([]);
    h.clock.advance(1);
    expect(sentAt(100)).toEqual([200]);
    expect(h.sentResponses(100)[0].message.to().tag).toBeUndefined();
    answer(tx, 200);
    h.receive(sibling(tx.request, 'ACK', { branch: 'z9hG4bKack1', toTag: 'uas-tag' }));
    h.clock.advance(H);
  });

  it('sends no 100 Trying when the TU answers within 200 ms', () => {
    const tx = h.serve(request('INVITE'));
    h.clock.advance(150);
    answer(tx, 180);
    h.clock.advance(1000);
    expect(h.sentResponses().map((s) => s.message.status)).toEqual([180]);
    answer(tx, 404);
    h.clock.advance(H);
  });

  it('sends no 100 Trying when the TU answers inside onRequest', () => {
    h.onRequest = (_req, tx) => tx?.respond(reply(tx.request, 180, 'uas-tag'));
    const tx = h.serve(request('INVITE'));
    expect(h.clock.pending()).toBe(0);
    answer(tx, 480);
    h.clock.advance(H);
    expect(h.sentResponses(100)).toEqual([]);
  });

  it('autoTrying: false leaves 100 Trying to the TU', () => {
    h = new Harness({ autoTrying: false });
    const tx = h.serve(request('INVITE'));
    expect(h.clock.pending()).toBe(0);
    h.receive(tx.request); // a retransmission, still nothing to send
    expect(h.sent).toEqual([]);
    answer(tx, 603);
    h.clock.advance(H);
  });

  it('MUST pass a retransmitted INVITE to the transport with the most recent provisional, not to the TU', () => {
    const inv = request('INVITE');
    const tx = h.serve(inv);
    answer(tx, 100);
    answer(tx, 180);
    h.clock.advance(T1);
    h.receive(inv);
    expect(h.sentResponses().map((s) => [s.message.status, s.at])).toEqual([
      [100, 0],
      [180, 0],
      [180, T1],
    ]);
    expect(h.requests).toHaveLength(1);
    answer(tx, 486);
    h.clock.advance(H);
  });

  it('a retransmitted INVITE before any response gets 100 Trying at once', () => {
    const inv = request('INVITE');
    const tx = h.serve(inv);
    h.clock.advance(100);
    h.receive(inv);
    expect(sentAt(100)).toEqual([100]);
    h.clock.advance(1000); // and the 200 ms timer was stopped
    expect(sentAt(100)).toEqual([100]);
    answer(tx, 486);
    h.clock.advance(H);
  });

  it('a TU that throws in onRequest: the layer answers 500 so the transaction cannot leak, and rethrows', () => {
    h.onRequest = () => {
      throw new Error('TU bug');
    };
    expect(() => h.receive(request('INVITE'))).toThrow('TU bug');
    expect(sentAt(500)).toEqual([0]);
    h.clock.advance(H);
  });
});

describe('INVITE server: non-2xx final (RFC 3261 §17.2.1: Completed, Confirmed)', () => {
  it.each([300, 404, 486, 500, 603])('MUST go to Completed on %i; Timer G retransmits it at T1, 2T1 … capped at T2 until Timer H (64*T1) → onAckTimeout, onTerminated', (status) => {
    const tx = h.serve(request('INVITE'));
    const ev = h.watch(tx);
    answer(tx, status);
    expect(tx.state).toBe('Completed');
    expect(tx.finalStatus).toBe(status);
    h.clock.advance(H - 1);
    expect(sentAt(status)).toEqual(capped(0, H));
    expect(ev.ackTimeouts).toEqual([]);
    h.clock.advance(1);
    expect(ev.ackTimeouts).toEqual([H]);
    expect(ev.terminated).toEqual([H]);
    expect(tx.state).toBe('Terminated');
  });

  it('a retransmitted INVITE in Completed gets the final response again', () => {
    const inv = request('INVITE');
    const tx = h.serve(inv);
    answer(tx, 486);
    h.clock.advance(100);
    h.receive(inv);
    expect(sentAt(486)).toEqual([0, 100]);
    expect(h.requests).toHaveLength(1);
    h.receive(sibling(inv, 'ACK', { toTag: 'uas-tag' }));
    h.clock.advance(T4);
  });

  it('the ACK (same branch) → Confirmed: Timer G stops, onAck, the ACK is not passed to the TU; Timer I (T4) → Terminated', () => {
    const inv = request('INVITE');
    const tx = h.serve(inv);
    const ev = h.watch(tx);
    answer(tx, 486);
    h.clock.advance(T1 + 10); // one retransmission
    h.receive(sibling(inv, 'ACK', { toTag: 'uas-tag' }));
    expect(tx.state).toBe('Confirmed');
    expect(tx.toTag).toBe('uas-tag');
    expect(ev.acks.map((a) => a.at)).toEqual([T1 + 10]);
    expect(h.requests).toHaveLength(1);
    expect(h.clock.dueTimes()).toEqual([T1 + 10 + T4]);
    h.clock.advance(T4);
    expect(sentAt(486)).toEqual([0, T1]);
    expect(ev.terminated).toEqual([T1 + 10 + T4]);
    expect(ev.ackTimeouts).toEqual([]);
  });

  it('in Confirmed, ACK and INVITE retransmissions are absorbed', () => {
    const inv = request('INVITE');
    const tx = h.serve(inv);
    const ev = h.watch(tx);
    answer(tx, 404);
    const ack = sibling(inv, 'ACK', { toTag: 'uas-tag' });
    h.receive(ack);
    h.receive(ack);
    h.receive(inv);
    expect(ev.acks).toHaveLength(1);
    expect(sentAt(404)).toEqual([0]);
    expect(h.requests).toHaveLength(1);
    h.clock.advance(T4);
  });

  it('reliable transport: the final is sent once (no Timer G) but Timer H still runs; the ACK ends it at once (Timer I = 0)', () => {
    const inv = request('INVITE', { transport: 'TCP' });
    const tx = h.serve(inv, TCP);
    const ev = h.watch(tx);
    answer(tx, 486);
    expect(h.clock.dueTimes()).toEqual([H]);
    h.clock.advance(10_000);
    h.receive(sibling(inv, 'ACK', { toTag: 'uas-tag' }), TCP);
    expect(ev.acks).toHaveLength(1);
    expect(tx.state).toBe('Terminated');
    expect(sentAt(486)).toEqual([0]);
    expect(h.sentResponses(486)[0].peer).toEqual(TCP);
  });

  it('reliable transport: no ACK → Timer H at 64*T1 → onAckTimeout', () => {
    const tx = h.serve(request('INVITE', { transport: 'TCP' }), TCP);
    const ev = h.watch(tx);
    answer(tx, 503);
    h.clock.advance(H);
    expect(ev.ackTimeouts).toEqual([H]);
  });
});

describe('INVITE server: 2xx (RFC 6026 §8.5–§8.7 Accepted, RFC 3261 §13.3.1.4)', () => {
  it('MUST go to Accepted on 2xx; the 2xx is retransmitted at T1, 2T1 … capped at T2 until the ACK arrives', () => {
    const inv = request('INVITE');
    const tx = h.serve(inv);
    const ev = h.watch(tx);
    answer(tx, 180);
    answer(tx, 200);
    expect(tx.state).toBe('Accepted');
    h.clock.advance(9000);
    expect(sentAt(200)).toEqual([0, 500, 1500, 3500, 7500]);
    const ack = sibling(inv, 'ACK', { branch: 'z9hG4bKack2xx', toTag: 'uas-tag' });
    h.receive(ack);
    expect(ev.acks.map((a) => a.at)).toEqual([9000]);
    expect(tx.toTag).toBe('uas-tag'); // kept after the 2xx itself is let go
    h.clock.advance(H - 9000 - 1);
    expect(sentAt(200)).toEqual([0, 500, 1500, 3500, 7500]);
    expect(tx.state).toBe('Accepted');
    h.clock.advance(1); // Timer L
    expect(ev.terminated).toEqual([H]);
    expect(ev.ackTimeouts).toEqual([]);
  });

  it('the ACK to a 2xx (new branch) is passed to the TU with no transaction, and also reaches onAck', () => {
    const inv = request('INVITE');
    const tx = h.serve(inv);
    const ev = h.watch(tx);
    answer(tx, 200);
    h.receive(sibling(inv, 'ACK', { branch: 'z9hG4bKnewbranch', toTag: 'uas-tag' }));
    expect(h.requests.map((r) => [r.request.method, r.tx])).toEqual([
      ['INVITE', tx],
      ['ACK', undefined],
    ]);
    expect(ev.acks).toHaveLength(1);
    h.clock.advance(H);
  });

  it('matches the ACK by Call-ID, CSeq number and To tag: an ACK with another To tag does not stop the retransmissions', () => {
    const inv = request('INVITE');
    const tx = h.serve(inv);
    const ev = h.watch(tx);
    answer(tx, 200);
    h.receive(sibling(inv, 'ACK', { branch: 'z9hG4bKa1', toTag: 'someone-else' }));
    expect(ev.acks).toEqual([]);
    expect(h.requests.map((r) => r.request.method)).toEqual(['INVITE', 'ACK']); // still the TU's to judge
    h.clock.advance(T1);
    expect(sentAt(200)).toEqual([0, T1]);
    h.receive(sibling(inv, 'ACK', { branch: 'z9hG4bKa2', toTag: 'uas-tag' }));
    expect(ev.acks).toHaveLength(1);
    h.clock.advance(H);
  });

  it('a 2xx never ACKed: retransmitted until 64*T1, then onAckTimeout (the TU should BYE) and Terminated', () => {
    const tx = h.serve(request('INVITE'));
    const ev = h.watch(tx);
    answer(tx, 200);
    h.clock.advance(H);
    expect(sentAt(200)).toEqual(capped(0, H));
    expect(ev.ackTimeouts).toEqual([H]);
    expect(ev.terminated).toEqual([H]);
    expect(tx.state).toBe('Terminated');
  });

  it('in Accepted, a retransmitted INVITE is absorbed: not passed to the TU, nothing extra sent (RFC 6026 §8.7)', () => {
    const inv = request('INVITE');
    const tx = h.serve(inv);
    answer(tx, 200);
    h.receive(sibling(inv, 'ACK', { branch: 'z9hG4bKack', toTag: 'uas-tag' }));
    h.receive(inv);
    expect(sentAt(200)).toEqual([0]);
    expect(h.requests.map((r) => r.request.method)).toEqual(['INVITE', 'ACK']);
    h.clock.advance(H);
  });

  it('in Accepted, a 2xx from the TU is sent (RFC 6026 §8.5), a non-2xx is discarded (late-response)', () => {
    const tx = h.serve(request('INVITE'));
    answer(tx, 200);
    answer(tx, 200);
    answer(tx, 486);
    expect(sentAt(200)).toEqual([0, 0]);
    expect(sentAt(486)).toEqual([]);
    expect(h.drops.map((d) => d.reason)).toEqual(['late-response']);
    h.receive(sibling(tx.request, 'ACK', { branch: 'z9hG4bKack', toTag: 'uas-tag' }));
    h.clock.advance(H);
  });

  it('a second ACK for the 2xx goes to the TU again; onAck fires once', () => {
    const inv = request('INVITE');
    const tx = h.serve(inv);
    const ev = h.watch(tx);
    answer(tx, 200);
    const ack = sibling(inv, 'ACK', { branch: 'z9hG4bKack', toTag: 'uas-tag' });
    h.receive(ack);
    h.receive(ack);
    expect(ev.acks).toHaveLength(1);
    expect(h.requests.filter((r) => r.request.method === 'ACK')).toHaveLength(2);
    h.clock.advance(H);
  });

  it('an ACK for the 2xx that reuses the INVITE branch (seen in the wild) is still matched', () => {
    const inv = request('INVITE');
    const tx = h.serve(inv);
    const ev = h.watch(tx);
    answer(tx, 200);
    h.receive(sibling(inv, 'ACK', { toTag: 'uas-tag' }));
    expect(ev.acks).toHaveLength(1);
    expect(h.requests.at(-1)?.tx).toBeUndefined();
    h.clock.advance(H);
  });

  it('reliable transport: the 2xx is sent once; Timer L still waits 64*T1 for the ACK', () => {
    const tx = h.serve(request('INVITE', { transport: 'TCP' }), TCP);
    const ev = h.watch(tx);
    answer(tx, 200);
    expect(h.clock.dueTimes()).toEqual([H]);
    h.clock.advance(H);
    expect(sentAt(200)).toEqual([0]);
    expect(ev.ackTimeouts).toEqual([H]);
  });
});

describe('INVITE server: TU mistakes and transport errors (§17.2.4)', () => {
  it('a final response after a final response is discarded and reported as late-response', () => {
    const tx = h.serve(request('INVITE'));
    answer(tx, 486);
    answer(tx, 500);
    answer(tx, 180);
    expect(h.sentResponses().map((s) => s.message.status)).toEqual([486]);
    expect(h.drops.map((d) => d.reason)).toEqual(['late-response', 'late-response']);
    h.clock.advance(H);
  });

  it.each([99, 700, 1.5])('respond() with status %p throws RangeError', (status) => {
    const tx = h.serve(request('INVITE'));
    const bad = reply(tx.request, 200);
    bad.status = status;
    expect(() => tx.respond(bad)).toThrow(RangeError);
    answer(tx, 486);
    h.clock.advance(H);
  });

  it('send() throwing on a response → onTransportError, onTerminated, the transaction is gone', () => {
    const tx = h.serve(request('INVITE'));
    const ev = h.watch(tx);
    h.failSend = () => true;
    answer(tx, 180);
    expect(ev.transportErrors).toEqual(['connection reset']);
    expect(ev.terminated).toEqual([0]);
    expect(tx.state).toBe('Terminated');
    answer(tx, 200); // the TU did not notice: discarded
    expect(h.drops.map((d) => d.reason)).toEqual(['late-response']);
  });

  it('send() throwing on a Timer G retransmission ends the transaction', () => {
    const tx = h.serve(request('INVITE'));
    const ev = h.watch(tx);
    answer(tx, 486);
    h.failSend = () => true;
    h.clock.advance(T1);
    expect(ev.transportErrors).toEqual(['connection reset']);
    expect(ev.ackTimeouts).toEqual([]);
    expect(tx.state).toBe('Terminated');
  });

  it('send() throwing on a 2xx retransmission ends the transaction', () => {
    const tx = h.serve(request('INVITE'));
    const ev = h.watch(tx);
    answer(tx, 200);
    h.failSend = () => true;
    h.clock.advance(T1);
    expect(ev.transportErrors).toEqual(['connection reset']);
    expect(tx.state).toBe('Terminated');
  });

  it('send() throwing on the automatic 100 Trying ends the transaction', () => {
    const tx = h.serve(request('INVITE'));
    const ev = h.watch(tx);
    h.failSend = () => true;
    h.clock.advance(200);
    expect(ev.transportErrors).toEqual(['connection reset']);
    expect(tx.state).toBe('Terminated');
  });
});
