// Non-INVITE client transaction: RFC 3261 §17.1.2 (Figure 6).

import { Harness, harnessPerTest, reply, request, TCP } from './transaction.test-harness';

const T1 = 500;
const T2 = 4000;
const T4 = 5000;
const F = 64 * T1;

let h: Harness;
harnessPerTest((fresh) => (h = fresh), () => h);

const sentAt = (method: string) => h.sentRequests(method).map((s) => s.at);

describe('non-INVITE client, unreliable transport (RFC 3261 §17.1.2.2)', () => {
  it('MUST send the request and start Timer E (T1) and Timer F (64*T1) in Trying', () => {
    const { tx } = h.client(request('OPTIONS'));
    expect(tx.state).toBe('Trying');
    expect(h.clock.dueTimes()).toEqual([T1, F]);
    h.clock.advance(F);
  });

  it('Timer E fires at T1, 2T1, 4T1, then every T2 (min(2E, T2)) until Timer F at 64*T1 → onTimeout', () => {
    const { tx, events } = h.client(request('BYE'));
    h.clock.advance(F - 1);
    // 500, 1500, 3500, 7500 (interval 4000 = T2 from here), 11500, … 31500
    const expected = [0, 500, 1500, 3500];
    for (let t = 7500; t < F; t += T2) expected.push(t);
    expect(sentAt('BYE')).toEqual(expected);
    expect(events).toEqual([]);
    h.clock.advance(1);
    expect(events).toEqual([{ kind: 'timeout', at: F, state: 'Terminated' }]);
    expect(tx.state).toBe('Terminated');
  });

  it('with T2 = 2*T1 the cap bites at the second retransmission', () => {
    h = new Harness({ timers: { T1: 500, T2: 1000 } });
    h.client(request('OPTIONS'));
    h.clock.advance(5000);
    expect(sentAt('OPTIONS')).toEqual([0, 500, 1500, 2500, 3500, 4500]);
    h.clock.advance(F);
  });

  it('MUST go to Proceeding on 1xx and pass it to the TU; Timer E then retransmits every T2', () => {
    const req = request('REGISTER');
    const { tx, events } = h.client(req);
    h.clock.advance(600); // E fired at 500; next due at 1500 (interval 1000)
    h.receive(reply(req, 100));
    expect(tx.state).toBe('Proceeding');
    h.clock.advance(1500 + 2 * T2 - 600);
    expect(sentAt('REGISTER')).toEqual([0, 500, 1500, 1500 + T2, 1500 + 2 * T2]);
    expect(events).toEqual([{ kind: 'response', at: 600, status: 100, state: 'Proceeding' }]);
    h.receive(reply(req, 200));
    h.clock.advance(T4);
  });

  it('Timer F fires in Proceeding too → onTimeout', () => {
    const req = request('OPTIONS');
    const { events } = h.client(req);
    h.receive(reply(req, 183));
    h.clock.advance(F);
    expect(events.map((e) => e.kind)).toEqual(['response', 'timeout']);
  });

  it.each([200, 202, 401, 404, 500, 603])('MUST go to Completed on %i from Trying, pass it up, stop E and F, and start Timer K (T4) → Terminated', (status) => {
    const req = request('OPTIONS');
    const { tx, events } = h.client(req);
    h.receive(reply(req, status));
    expect(tx.state).toBe('Completed');
    expect(events).toEqual([{ kind: 'response', at: 0, status, state: 'Completed' }]);
    expect(h.clock.dueTimes()).toEqual([T4]);
    h.clock.advance(T4 - 1);
    expect(tx.state).toBe('Completed');
    h.clock.advance(1);
    expect(tx.state).toBe('Terminated');
    expect(sentAt('OPTIONS')).toEqual([0]);
  });

  it('goes to Completed from Proceeding on a final response', () => {
    const req = request('SUBSCRIBE');
    const { tx } = h.client(req);
    h.receive(reply(req, 100));
    h.receive(reply(req, 202));
    expect(tx.state).toBe('Completed');
    h.clock.advance(T4);
  });

  it('in Completed, retransmitted responses are absorbed (not passed to the TU)', () => {
    const req = request('BYE');
    const { events } = h.client(req);
    h.receive(reply(req, 200));
    h.receive(reply(req, 200));
    h.receive(reply(req, 100));
    expect(events).toHaveLength(1);
    h.clock.advance(T4);
  });

  it('a transport error on a Timer E retransmission → onTransportError and Terminated', () => {
    const { tx, events } = h.client(request('OPTIONS'));
    h.failSend = () => true;
    h.clock.advance(T1);
    expect(events).toEqual([{ kind: 'transport-error', at: T1, message: 'connection reset', state: 'Terminated' }]);
    expect(tx.state).toBe('Terminated');
  });

  it('cancel() is refused: CANCEL applies to INVITE only (§9.1)', () => {
    const req = request('OPTIONS');
    const { tx } = h.client(req);
    expect(() => tx.cancel()).toThrow(TypeError);
    h.receive(reply(req, 200));
    h.clock.advance(T4);
  });
});

describe('non-INVITE client, reliable transport (§17.1.2.2: no Timer E, Timer K = 0)', () => {
  it('sends once; Timer F still fires at 64*T1', () => {
    const { events } = h.client(request('OPTIONS', { transport: 'TCP' }), TCP);
    expect(h.clock.dueTimes()).toEqual([F]);
    h.clock.advance(F);
    expect(sentAt('OPTIONS')).toEqual([0]);
    expect(events.map((e) => e.kind)).toEqual(['timeout']);
  });

  it('terminates as soon as the final response arrives', () => {
    const req = request('OPTIONS', { transport: 'TCP' });
    const { tx, events } = h.client(req, TCP);
    h.receive(reply(req, 200), TCP);
    expect(tx.state).toBe('Terminated');
    expect(events).toEqual([{ kind: 'response', at: 0, status: 200, state: 'Terminated' }]);
  });
});
