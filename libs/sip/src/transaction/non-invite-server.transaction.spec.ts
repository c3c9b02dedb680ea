// Non-INVITE server transaction: RFC 3261 §17.2.2 (Figure 8).

import { answer, Harness, harnessPerTest, request, TCP } from './transaction.test-harness';

const T1 = 500;
const J = 64 * T1;

let h: Harness;
harnessPerTest((fresh) => (h = fresh), () => h);


describe('non-INVITE server, unreliable transport (RFC 3261 §17.2.2)', () => {
  it('a new request goes to the TU with a server transaction in Trying; no 100 Trying is sent for it', () => {
    const tx = h.serve(request('OPTIONS'));
    expect(tx.state).toBe('Trying');
    expect(h.clock.pending()).toBe(0);
    h.clock.advance(1000);
    expect(h.sent).toEqual([]);
    answer(tx, 200);
    h.clock.advance(J);
  });

  it('in Trying, a retransmitted request is absorbed: nothing sent, not passed to the TU', () => {
    const req = request('BYE');
    const tx = h.serve(req);
    h.receive(req);
    h.receive(req);
    expect(h.sent).toEqual([]);
    expect(h.requests).toHaveLength(1);
    answer(tx, 200);
    h.clock.advance(J);
  });

  it('1xx from the TU → Proceeding; a retransmitted request gets the last provisional again', () => {
    const req = request('REGISTER');
    const tx = h.serve(req);
    answer(tx, 100);
    expect(tx.state).toBe('Proceeding');
    h.clock.advance(T1);
    h.receive(req);
    expect(h.sentResponses().map((s) => [s.message.status, s.at])).toEqual([
      [100, 0],
      [100, T1],
    ]);
    answer(tx, 200);
    h.clock.advance(J);
  });

  it.each([200, 202, 401, 404, 481, 500])('%i from the TU → Completed; Timer J (64*T1) → Terminated', (status) => {
    const tx = h.serve(request('OPTIONS'));
    const ev = h.watch(tx);
    answer(tx, status);
    expect(tx.state).toBe('Completed');
    expect(tx.finalStatus).toBe(status);
    expect(h.clock.dueTimes()).toEqual([J]);
    h.clock.advance(J - 1);
    expect(tx.state).toBe('Completed');
    h.clock.advance(1);
    expect(ev.terminated).toEqual([J]);
    expect(tx.state).toBe('Terminated');
  });

  it('absorbs a retransmitted request by resending the last response (Completed)', () => {
    const req = request('BYE');
    const tx = h.serve(req);
    answer(tx, 100);
    answer(tx, 200);
    h.clock.advance(1000);
    h.receive(req);
    h.clock.advance(1000);
    h.receive(req);
    expect(h.sentResponses(200).map((s) => s.at)).toEqual([0, 1000, 2000]);
    expect(h.requests).toHaveLength(1);
    h.clock.advance(J);
  });

  it('after Timer J the same request is new again and goes to the TU', () => {
    const req = request('OPTIONS');
    answer(h.serve(req), 200);
    h.clock.advance(J);
    const again = h.serve(req);
    expect(h.requests).toHaveLength(2);
    answer(again, 200);
    h.clock.advance(J);
  });

  it('a response after the final one is discarded (late-response)', () => {
    const tx = h.serve(request('OPTIONS'));
    answer(tx, 200);
    answer(tx, 500);
    expect(h.sentResponses().map((s) => s.message.status)).toEqual([200]);
    expect(h.drops.map((d) => d.reason)).toEqual(['late-response']);
    h.clock.advance(J);
  });

  it('send() throwing → onTransportError, onTerminated, gone', () => {
    const tx = h.serve(request('OPTIONS'));
    const ev = h.watch(tx);
    h.failSend = () => true;
    answer(tx, 200);
    expect(ev.transportErrors).toEqual(['connection reset']);
    expect(ev.terminated).toEqual([0]);
  });

  it('send() throwing when resending the last response to a retransmission ends the transaction', () => {
    const req = request('OPTIONS');
    const tx = h.serve(req);
    const ev = h.watch(tx);
    answer(tx, 200);
    h.failSend = () => true;
    h.receive(req);
    expect(ev.transportErrors).toEqual(['connection reset']);
    expect(tx.state).toBe('Terminated');
  });
});

describe('non-INVITE server, reliable transport (§17.2.2: Timer J = 0)', () => {
  it('terminates as soon as the final response is sent, on the connection the request came in on', () => {
    const tx = h.serve(request('OPTIONS', { transport: 'TCP' }), TCP);
    const ev = h.watch(tx);
    answer(tx, 200);
    expect(tx.state).toBe('Terminated');
    expect(ev.terminated).toEqual([0]);
    expect(h.sentResponses(200)[0].peer).toEqual(TCP);
  });
});
