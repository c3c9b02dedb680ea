// INVITE client transaction: RFC 3261 §17.1.1 (Figure 5), RFC 6026 §8.4 (Accepted, Timer M),
// CANCEL §9.1, Timer C §16.6/§16.8. Every scenario ends with no armed timer and no live
// transaction.

import { Harness, harnessPerTest, reply, request, TCP, UDP } from './transaction.test-harness';

const T1 = 500;
const B = 64 * T1;

let h: Harness;
harnessPerTest((fresh) => (h = fresh), () => h);

const invitesSentAt = () => h.sentRequests('INVITE').map((s) => s.at);

describe('INVITE client, unreliable transport (RFC 3261 §17.1.1.2)', () => {
  it('MUST send the INVITE and start Timer A (T1) and Timer B (64*T1) in Calling', () => {
    const { tx } = h.client(request('INVITE'));
    expect(tx.state).toBe('Calling');
    expect(invitesSentAt()).toEqual([0]);
    expect(h.clock.dueTimes()).toEqual([T1, B]);
    h.clock.advance(B);
  });

  it.each([
    { T1: 500, resends: [500, 1500, 3500, 7500, 15500, 31500], timeout: 32000 },
    { T1: 100, resends: [100, 300, 700, 1500, 3100, 6300], timeout: 6400 },
  ])('Timer A fires at T1, 2T1, 4T1 … (doubling, no T2 cap) until Timer B at 64*T1 → onTimeout (T1=$T1)', ({ T1: t1, resends, timeout }) => {
    h = new Harness({ timers: { T1: t1, T2: t1 * 8 } });
    const { tx, events } = h.client(request('INVITE'));
    h.clock.advance(timeout - 1);
    expect(invitesSentAt()).toEqual([0, ...resends]);
    expect(events).toEqual([]);
    h.clock.advance(1);
    expect(events).toEqual([{ kind: 'timeout', at: timeout, state: 'Terminated' }]);
    expect(tx.state).toBe('Terminated');
  });

  it('MUST go to Proceeding on 1xx, pass it to the TU and stop retransmitting; Timer B no longer applies', () => {
    const inv = request('INVITE');
    const { tx, events } = h.client(inv, UDP);
    h.clock.advance(T1 + 100); // one retransmission at T1
    h.receive(reply(inv, 100));
    expect(tx.state).toBe('Proceeding');
    h.receive(reply(inv, 180));
    h.clock.advance(B); // no retransmission and no timeout in Proceeding
    expect(invitesSentAt()).toEqual([0, T1]);
    expect(events.map((e) => e.kind === 'response' && e.status)).toEqual([100, 180]);
    h.receive(reply(inv, 486));
    h.clock.advance(32000);
  });

  it.each([300, 404, 486, 503, 603])('MUST go to Completed on %i, send the ACK and pass the response up; Timer D (32 s) → Terminated', (status) => {
    const inv = request('INVITE');
    const { tx, events } = h.client(inv);
    h.receive(reply(inv, 180));
    h.clock.advance(1000);
    h.receive(reply(inv, status));
    expect(tx.state).toBe('Completed');
    expect(h.sentRequests('ACK')).toHaveLength(1);
    expect(events.at(-1)).toEqual({ kind: 'response', at: 1000, status, state: 'Completed' });
    expect(h.clock.dueTimes()).toEqual([1000 + 32000]);
    h.clock.advance(32000 - 1);
    expect(tx.state).toBe('Completed');
    h.clock.advance(1);
    expect(tx.state).toBe('Terminated');
  });

  it('goes to Completed straight from Calling on a 3xx–6xx (no provisional first)', () => {
    const inv = request('INVITE');
    const { tx, events } = h.client(inv);
    h.receive(reply(inv, 404));
    expect(tx.state).toBe('Completed');
    expect(h.sentRequests('ACK')).toHaveLength(1);
    expect(events).toHaveLength(1);
    h.clock.advance(32000);
    expect(invitesSentAt()).toEqual([0]); // Timer A stopped
  });

  it('builds the ACK for a non-2xx per §17.1.1.3: same Request-URI, Call-ID, From, CSeq number, single top Via and Route; To from the response', () => {
    const inv = request('INVITE', { route: '<sip:proxy.example.com;lr>', lowerVia: 'SIP/2.0/UDP lower.example.com;branch=z9hG4bKlower', uri: 'sip:bob@biloxi.example.com;transport=udp' });
    h.client(inv);
    h.receive(reply(inv, 486, 'busy-tag'));
    const ack = h.sentRequests('ACK')[0].message;
    expect(ack.uriText).toBe(inv.uriText);
    expect(ack.callId()).toBe(inv.callId());
    expect(ack.headers.get('From')).toBe(inv.headers.get('From'));
    expect(ack.cseq()).toEqual({ seq: inv.cseq().seq, method: 'ACK' });
    expect(ack.via()).toHaveLength(1);
    expect(ack.topVia()?.branch).toBe(inv.topVia()?.branch);
    expect(ack.to().tag).toBe('busy-tag');
    expect(ack.headers.getAll('Route')).toEqual(['<sip:proxy.example.com;lr>']);
    expect(ack.maxForwards()).toBe(70);
    h.clock.advance(32000);
  });

  it('in Completed, a retransmitted final response gets the ACK again and is not passed to the TU', () => {
    const inv = request('INVITE');
    const { events } = h.client(inv);
    h.receive(reply(inv, 486));
    h.clock.advance(5000);
    h.receive(reply(inv, 486));
    h.receive(reply(inv, 486));
    expect(h.sentRequests('ACK')).toHaveLength(3);
    expect(h.sentRequests('ACK')[2].message).toBe(h.sentRequests('ACK')[0].message);
    expect(events).toHaveLength(1);
    h.clock.advance(27000);
  });

  it('in Completed, provisional and 2xx responses are absorbed', () => {
    const inv = request('INVITE');
    const { events } = h.client(inv);
    h.receive(reply(inv, 486));
    h.receive(reply(inv, 180));
    h.receive(reply(inv, 200));
    expect(events).toHaveLength(1);
    expect(h.sentRequests('ACK')).toHaveLength(1);
    h.clock.advance(32000);
  });

  it('Timer D is 64*T1 when T1 is raised above 500 ms (it must outlast the server\'s Timer H)', () => {
    h = new Harness({ timers: { T1: 1000, T2: 4000 } });
    const inv = request('INVITE');
    const { tx } = h.client(inv);
    h.receive(reply(inv, 404));
    h.clock.advance(63999);
    expect(tx.state).toBe('Completed');
    h.clock.advance(1);
    expect(tx.state).toBe('Terminated');
  });
});

describe('INVITE client, 2xx (RFC 6026 §8.4: Accepted)', () => {
  it('MUST go to Accepted on 2xx, pass it up and start Timer M (64*T1); the transaction sends no ACK', () => {
    const inv = request('INVITE');
    const { tx, events } = h.client(inv);
    h.clock.advance(T1); // Timer A fired once
    h.receive(reply(inv, 200));
    expect(tx.state).toBe('Accepted');
    expect(events).toEqual([{ kind: 'response', at: T1, status: 200, state: 'Accepted' }]);
    expect(h.sentRequests('ACK')).toEqual([]);
    expect(h.clock.dueTimes()).toEqual([T1 + B]);
    h.clock.advance(B);
    expect(tx.state).toBe('Terminated');
    expect(invitesSentAt()).toEqual([0, T1]);
  });

  it('in Accepted, passes 2xx retransmissions and 2xx of other forks to the TU', () => {
    const inv = request('INVITE');
    const { events } = h.client(inv);
    h.receive(reply(inv, 180, 'fork-a'));
    h.receive(reply(inv, 200, 'fork-a'));
    h.clock.advance(T1);
    h.receive(reply(inv, 200, 'fork-a'));
    h.receive(reply(inv, 200, 'fork-b'));
    expect(events.map((e) => e.kind === 'response' && e.status)).toEqual([180, 200, 200, 200]);
    h.clock.advance(B);
  });

  it('in Accepted, provisional and non-2xx responses are absorbed', () => {
    const inv = request('INVITE');
    const { events } = h.client(inv);
    h.receive(reply(inv, 200));
    h.receive(reply(inv, 183));
    h.receive(reply(inv, 500));
    expect(events).toHaveLength(1);
    expect(h.sentRequests('ACK')).toEqual([]);
    h.clock.advance(B);
  });

  it('after Timer M, a 2xx retransmission matches nothing and goes to onStrayResponse', () => {
    const inv = request('INVITE');
    h.client(inv);
    h.receive(reply(inv, 200));
    h.clock.advance(B);
    h.receive(reply(inv, 200));
    expect(h.strays.map((r) => r.status)).toEqual([200]);
  });
});

describe('INVITE client, reliable transport (§17.1.1.2: no Timer A, Timer D = 0)', () => {
  it('sends the INVITE once; Timer B still fires at 64*T1 → onTimeout', () => {
    const { events } = h.client(request('INVITE', { transport: 'TCP' }), TCP);
    expect(h.clock.dueTimes()).toEqual([B]);
    h.clock.advance(B);
    expect(invitesSentAt()).toEqual([0]);
    expect(events).toEqual([{ kind: 'timeout', at: B, state: 'Terminated' }]);
  });

  it('on a non-2xx sends the ACK and terminates at once', () => {
    const inv = request('INVITE', { transport: 'TCP' });
    const { tx, events } = h.client(inv, TCP);
    h.receive(reply(inv, 603), TCP);
    expect(h.sentRequests('ACK').map((s) => s.peer)).toEqual([TCP]);
    expect(tx.state).toBe('Terminated');
    expect(events).toEqual([{ kind: 'response', at: 0, status: 603, state: 'Terminated' }]);
  });

  it('on a 2xx still waits in Accepted for Timer M', () => {
    const inv = request('INVITE', { transport: 'TCP' });
    const { tx } = h.client(inv, TCP);
    h.receive(reply(inv, 200), TCP);
    expect(h.clock.dueTimes()).toEqual([B]);
    h.clock.advance(B);
    expect(tx.state).toBe('Terminated');
  });
});

describe('INVITE client, transport errors (§17.1.4)', () => {
  it('a failure of the first send is reported on the next turn (never inside sendRequest), then the transaction is gone', () => {
    h.failSend = () => true;
    const { tx, events, reentrant } = h.client(request('INVITE'));
    expect(tx.state).toBe('Terminated');
    expect(events).toEqual([]);
    expect(h.layer.counts().client).toBe(0);
    h.clock.advance(0);
    expect(events).toEqual([{ kind: 'transport-error', at: 0, message: 'connection reset', state: 'Terminated' }]);
    expect(reentrant.value).toBe(false);
  });

  it('a failure on a Timer A retransmission → onTransportError and Terminated', () => {
    const { tx, events } = h.client(request('INVITE'));
    h.failSend = () => true;
    h.clock.advance(T1);
    expect(events).toEqual([{ kind: 'transport-error', at: T1, message: 'connection reset', state: 'Terminated' }]);
    expect(tx.state).toBe('Terminated');
  });

  it('without an onTransportError handler, the TU learns through onTimeout', () => {
    h.failSend = () => true;
    const { events } = h.client(request('INVITE'), UDP, { transportErrorHandler: false });
    h.clock.advance(0);
    expect(events).toEqual([{ kind: 'timeout', at: 0, state: 'Terminated' }]);
  });

  it('a failure to send the ACK: the final response still reaches the TU, then onTransportError', () => {
    const inv = request('INVITE');
    const { events } = h.client(inv);
    h.failSend = (m) => m.kind === 'request' && m.method === 'ACK';
    h.receive(reply(inv, 486));
    expect(events.map((e) => e.kind)).toEqual(['response', 'transport-error']);
  });
});

describe('INVITE client, Timer C (RFC 3261 §16.6 step 11, §16.8)', () => {
  const C = 180_000;

  it('Proceeding for Timer C without another provisional → the layer CANCELs; the 487 completes the INVITE', () => {
    const inv = request('INVITE');
    const { tx, events } = h.client(inv);
    h.receive(reply(inv, 180));
    h.clock.advance(C - 1);
    expect(h.sentRequests('CANCEL')).toEqual([]);
    h.clock.advance(1);
    const cancel = h.sentRequests('CANCEL');
    expect(cancel.map((s) => s.at)).toEqual([C]);
    h.receive(reply(cancel[0].message, 200));
    h.receive(reply(inv, 487));
    expect(tx.state).toBe('Completed');
    expect(events.map((e) => e.kind === 'response' && e.status)).toEqual([180, 487]);
    h.clock.advance(32000);
  });

  it('every provisional response restarts Timer C (§16.7 step 2)', () => {
    const inv = request('INVITE');
    h.client(inv);
    h.receive(reply(inv, 180));
    h.clock.advance(C - 1000);
    h.receive(reply(inv, 183));
    h.clock.advance(C - 1);
    expect(h.sentRequests('CANCEL')).toEqual([]);
    h.clock.advance(1);
    expect(h.sentRequests('CANCEL')).toHaveLength(1);
    h.receive(reply(inv, 487));
    h.clock.advance(B);
  });

  it('timers.C = 0 turns Timer C off: Proceeding waits for the final response with no timer', () => {
    h = new Harness({ timers: { C: 0 } });
    const inv = request('INVITE');
    const { tx } = h.client(inv);
    h.receive(reply(inv, 180));
    expect(h.clock.pending()).toBe(0);
    expect(tx.state).toBe('Proceeding');
    h.receive(reply(inv, 200));
    h.clock.advance(B);
  });
});

describe('CANCEL of a client INVITE (RFC 3261 §9.1)', () => {
  it('MUST NOT send the CANCEL before a provisional response; sends it when the first 1xx arrives', () => {
    const inv = request('INVITE');
    const { tx } = h.client(inv);
    tx.cancel();
    h.clock.advance(T1 + 10); // Timer A still retransmits the INVITE
    expect(h.sentRequests('CANCEL')).toEqual([]);
    expect(invitesSentAt()).toEqual([0, T1]);
    h.receive(reply(inv, 100));
    expect(h.sentRequests('CANCEL').map((s) => s.at)).toEqual([T1 + 10]);
    h.receive(reply(h.sentRequests('CANCEL')[0].message, 200));
    h.receive(reply(inv, 487));
    h.clock.advance(32000);
  });

  it('in Proceeding sends at once a CANCEL with the same Request-URI, Call-ID, To, From, CSeq number, top Via and Route, and the Reason', () => {
    const inv = request('INVITE', { route: '<sip:proxy.example.com;lr>', lowerVia: 'SIP/2.0/UDP lower.example.com;branch=z9hG4bKx' });
    const { tx } = h.client(inv);
    h.receive(reply(inv, 180));
    tx.cancel('SIP;cause=200;text="Call completed elsewhere"');
    const [{ message: cancel, peer }] = h.sentRequests('CANCEL');
    expect(peer).toEqual(UDP);
    expect(cancel.uriText).toBe(inv.uriText);
    expect(cancel.callId()).toBe(inv.callId());
    expect(cancel.headers.get('To')).toBe(inv.headers.get('To'));
    expect(cancel.headers.get('From')).toBe(inv.headers.get('From'));
    expect(cancel.cseq()).toEqual({ seq: inv.cseq().seq, method: 'CANCEL' });
    expect(cancel.via()).toEqual([inv.topVia()]);
    expect(cancel.headers.getAll('Route')).toEqual(['<sip:proxy.example.com;lr>']);
    expect(cancel.headers.get('Reason')).toBe('SIP;cause=200;text="Call completed elsewhere"');
    h.receive(reply(cancel, 200));
    h.receive(reply(inv, 487));
    h.clock.advance(32000);
  });

  it('the CANCEL runs in its own non-INVITE client transaction: Timer E retransmits it until its 200', () => {
    const inv = request('INVITE');
    const { tx, events } = h.client(inv);
    h.receive(reply(inv, 180));
    tx.cancel();
    expect(h.layer.counts().client).toBe(2);
    h.clock.advance(T1 + 2 * T1);
    expect(h.sentRequests('CANCEL').map((s) => s.at)).toEqual([0, T1, 3 * T1]);
    const cancel = h.sentRequests('CANCEL')[0].message;
    h.receive(reply(cancel, 200));
    expect(events.map((e) => e.kind === 'response' && e.status)).toEqual([180]); // the CANCEL's 200 is not the INVITE's
    h.receive(reply(inv, 487));
    expect(events.map((e) => e.kind === 'response' && e.status)).toEqual([180, 487]);
    h.clock.advance(32000);
  });

  it('cancel() after a final response is a no-op', () => {
    const inv = request('INVITE');
    const { tx } = h.client(inv);
    h.receive(reply(inv, 180));
    h.receive(reply(inv, 200));
    tx.cancel();
    h.receive(reply(inv, 486, 'other'));
    expect(h.sentRequests('CANCEL')).toEqual([]);
    h.clock.advance(B);
  });

  it('cancel() in Calling followed by a final response (no provisional) sends no CANCEL', () => {
    const inv = request('INVITE');
    const { tx } = h.client(inv);
    tx.cancel();
    h.receive(reply(inv, 486));
    expect(h.sentRequests('CANCEL')).toEqual([]);
    h.clock.advance(32000);
  });

  it('cancel() twice sends one CANCEL', () => {
    const inv = request('INVITE');
    const { tx } = h.client(inv);
    h.receive(reply(inv, 180));
    tx.cancel();
    tx.cancel('SIP;cause=487');
    expect(h.sentRequests('CANCEL')).toHaveLength(1);
    h.receive(reply(h.sentRequests('CANCEL')[0].message, 200));
    h.receive(reply(inv, 487));
    h.clock.advance(32000);
  });

  it('no final response 64*T1 after the CANCEL → onTimeout, the INVITE transaction is destroyed', () => {
    const inv = request('INVITE');
    const { tx, events } = h.client(inv);
    h.receive(reply(inv, 180));
    h.clock.advance(1000);
    tx.cancel();
    h.receive(reply(h.sentRequests('CANCEL')[0].message, 200));
    h.clock.advance(B - 1);
    expect(tx.state).toBe('Proceeding');
    h.clock.advance(1);
    expect(events.at(-1)).toEqual({ kind: 'timeout', at: 1000 + B, state: 'Terminated' });
  });

  it('a transport error on the CANCEL also ends the INVITE transaction (onTransportError)', () => {
    const inv = request('INVITE');
    const { tx, events } = h.client(inv);
    h.receive(reply(inv, 180));
    h.failSend = () => true;
    tx.cancel();
    h.clock.advance(0);
    expect(events.at(-1)).toEqual({ kind: 'transport-error', at: 0, message: 'connection reset', state: 'Terminated' });
  });

  it('cancel() with a Reason holding CR/LF throws TypeError and sends nothing', () => {
    const inv = request('INVITE');
    const { tx } = h.client(inv);
    h.receive(reply(inv, 180));
    expect(() => tx.cancel('SIP;cause=487\r\nX-Injected: 1')).toThrow(TypeError);
    expect(h.sentRequests('CANCEL')).toEqual([]);
    h.receive(reply(inv, 486));
    h.clock.advance(32000);
  });
});
