import { RtpProbe } from './support/rtp-probe';
import { udpExchange } from './support/udp';
import { connect } from 'node:net';
import { dtmfEventSchema, DtmfEventMessage, SIP_EDGE_DTMF_PREFIX } from '@pbx/contracts';
import { NatsBus } from '@pbx/service-kit';
import { freePort, eventually, testNatsUrl } from '@pbx/testing';
import { DIDS, EdgeStack, lastCallTo, registerPhone, sipp, startEdgeStack, StoredLegEvent, passed } from './support/edge-stack';

// Issue #3's flows through the real stack: SIPp phones and carrier, sip-edge, dialplan,
// channel-quota, rtpengine, PostgreSQL, NATS. Each test checks the SIP outcome on both sides
// and the leg events recorded (SPEC H-1).


const types = (events: StoredLegEvent[] | undefined): string[] => (events ?? []).map((e) => e.type);

describe('sip-edge calls through the real stack (issue #3)', () => {
  let stack: EdgeStack;
  const uac = (o: { scenario: string; service: string; status?: number; durationMs?: number; extra?: string[]; user?: string; password?: string; localPort?: number; keys?: Record<string, string> }) =>
    sipp({
      scenario: o.scenario,
      remote: `127.0.0.1:${stack.sipPort}`,
      localPort: o.localPort ?? stack.trunkPort,
      service: o.service,
      status: o.status,
      durationMs: o.durationMs,
      extra: o.extra,
      user: o.user,
      password: o.password,
      keys: { domain: stack.domain, caller: o.user ?? '0312340000', ...o.keys },
    });
  // one SIP port per phone for the whole file: re-registering refreshes the same binding
  const phonePorts = new Map<string, number>();
  const phone = async (user: string, scenario: string, keys: Record<string, string> = {}, durationMs?: number) => {
    const port = phonePorts.get(user) ?? (await freePort());
    phonePorts.set(user, port);
    await registerPhone(stack, user, port);
    return sipp({ scenario, localPort: port, keys: { domain: stack.domain, ...keys }, durationMs, timeoutSeconds: 30 });
  };

  beforeAll(async () => {
    stack = await startEdgeStack({ ringTimeoutSeconds: 5, dtmf: true });
  }, 90_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('answers OPTIONS outside a dialog with 200 and Allow', async () => {
    const res = await udpExchange(
      stack.sipPort,
      'OPTIONS sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:LOCALPORT;branch=z9hG4bKopt1;rport\r\nFrom: <sip:probe@x>;tag=1\r\nTo: <sip:127.0.0.1>\r\nCall-ID: opt-1\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n',
    );
    expect(res).toMatch(/^SIP\/2\.0 200 OK\r\n/);
    expect(res).toMatch(/\r\nAllow: [^\r]*INVITE/);
  });

  it('trunk → DID → registered phone: answered, RTP flows both ways through rtpengine (PCMA caller, PCMU callee), events for both legs', async () => {
    const probe = await RtpProbe.open();
    try {
      const callee = await phone('1002', 'uas-answer.xml', { rtp_port: String(probe.port) });
      const caller = uac({ scenario: 'uac-call-with-audio.xml', service: DIDS.toPhone, durationMs: 2_500, extra: ['-rtp_echo'] });
      const [c, d] = await Promise.all([caller.done, callee.done]);
      passed(c);
      passed(d);
      // ~50 packets/s for 2.5 s: media reached the far end, transcoded to the callee's codec…
      expect(probe.received).toBeGreaterThan(50);
      expect([...probe.payloadTypes]).toEqual([0]);
      // …and what the callee sent came back through rtpengine and SIPp's echo
      expect(probe.echoedBack).toBeGreaterThan(20);
    } finally {
      probe.close();
    }
    const { a, b } = await lastCallTo(stack, DIDS.toPhone, 2);
    expect(types(a)).toEqual(['LegCreated', 'LegRinging', 'LegAnswered', 'LegBridged', 'LegEnded']);
    expect(a[0].data).toMatchObject({ direction: 'inbound', side: 'a-leg', farEnd: { kind: 'trunk', trunkId: 'carrier-a', did: DIDS.toPhone } });
    expect(a.at(-1)?.data).toMatchObject({ cause: 'normal', hungUpBy: 'caller', sipStatus: null });
    expect(b).toHaveLength(1);
    expect(types(b[0])).toEqual(['LegCreated', 'LegRinging', 'LegAnswered', 'LegBridged', 'LegEnded']);
    expect(b[0][0].data).toMatchObject({ direction: 'outbound', side: 'b-leg', farEnd: { kind: 'extension', number: '1002' }, callee: '1002' });
  }, 60_000);

  it('RFC 4733 digits the caller sends are published on NATS with the leg id', async () => {
    const bus = await NatsBus.connect(testNatsUrl(), 'dtmf-test');
    try {
      const digits: DtmfEventMessage[] = [];
      bus.connection.subscribe(`${SIP_EDGE_DTMF_PREFIX}.>`, { callback: (_e, m) => digits.push(dtmfEventSchema.parse(JSON.parse(Buffer.from(m.data).toString()))) });
      const callee = await phone('1002', 'uas-answer.xml');
      const caller = uac({ scenario: 'uac-call-with-dtmf.xml', service: DIDS.toPhone, durationMs: 1_500 });
      const [c, d] = await Promise.all([caller.done, callee.done]);
      passed(c);
      passed(d);
      const { a } = await lastCallTo(stack, DIDS.toPhone, 2);
      await eventually('the digit on NATS', () => digits.length > 0, 5_000);
      expect(digits[0]).toMatchObject({ legId: a[0].data['legId'], digit: '1' });
    } finally {
      await bus.close();
    }
  }, 60_000);

  it('phone → phone with digest (407 then credentials): answered and hung up by the caller', async () => {
    const callee = await phone('1002', 'uas-answer.xml');
    const caller = uac({ scenario: 'uac-call-auth.xml', service: '1002', user: '1001', password: 's3cret-1001', localPort: await freePort() });
    const [c, d] = await Promise.all([caller.done, callee.done]);
    passed(c);
    passed(d);
    const { a, b } = await lastCallTo(stack, '1002', 2);
    expect(a[0].data).toMatchObject({ farEnd: { kind: 'extension', number: '1001' }, presentedCaller: '1001' });
    expect(b[0][0].data).toMatchObject({ presentedCaller: '1001' }); // SPEC D-1
  }, 60_000);

  it('phone → external number leaves through the trunk (SPEC N-2) and takes a channel', async () => {
    const carrier = sipp({ scenario: 'uas-answer.xml', localPort: stack.trunkPort, keys: { domain: stack.domain }, timeoutSeconds: 30 });
    const caller = uac({ scenario: 'uac-call-auth.xml', service: '0312349999', user: '1001', password: 's3cret-1001', localPort: await freePort() });
    const [c, d] = await Promise.all([caller.done, carrier.done]);
    passed(c);
    passed(d);
    const { b } = await lastCallTo(stack, '0312349999', 2);
    expect(b[0][0].data).toMatchObject({ farEnd: { kind: 'external', number: '0312349999', trunkId: 'carrier-a' } });
  }, 60_000);

  it('group ring-all: the first phone to answer wins, the other is cancelled', async () => {
    const winner = await phone('1003', 'uas-answer.xml');
    const loser = await phone('1004', 'uas-ring-until-cancel.xml');
    const caller = uac({ scenario: 'uac-call.xml', service: DIDS.toGroup });
    const [c, w, l] = await Promise.all([caller.done, winner.done, loser.done]);
    passed(c);
    passed(w);
    passed(l);
    const { b } = await lastCallTo(stack, DIDS.toGroup, 3);
    const byNumber = new Map(b.map((events) => [String(events[0].data['callee']), events]));
    expect(types(byNumber.get('1003'))).toContain('LegAnswered');
    expect(byNumber.get('1004')?.at(-1)?.data).toMatchObject({ cause: 'cancelled', hungUpBy: 'system' });
  }, 60_000);

  it('CANCEL before answer: 487 to the caller, the phone gets CANCEL, events say cancelled by the caller', async () => {
    const callee = await phone('1002', 'uas-ring-until-cancel.xml');
    const caller = uac({ scenario: 'uac-cancel.xml', service: DIDS.toPhone });
    const [c, d] = await Promise.all([caller.done, callee.done]);
    passed(c);
    passed(d);
    const { a, b } = await lastCallTo(stack, DIDS.toPhone, 2);
    expect(a.at(-1)?.data).toMatchObject({ cause: 'cancelled', hungUpBy: 'caller', sipStatus: 487 });
    expect(b[0].at(-1)?.data).toMatchObject({ cause: 'cancelled' });
  }, 60_000);

  it('busy: the phone’s 486 is passed back to the caller', async () => {
    const callee = await phone('1002', 'uas-busy.xml');
    const caller = uac({ scenario: 'uac-expect-final.xml', service: DIDS.toPhone, status: 486 });
    const [c, d] = await Promise.all([caller.done, callee.done]);
    passed(c);
    passed(d);
    const { a } = await lastCallTo(stack, DIDS.toPhone, 2);
    expect(a.at(-1)?.data).toMatchObject({ cause: 'busy', sipStatus: 486 });
  }, 60_000);

  it('no answer: 480 after ringTimeoutSeconds, the phone gets CANCEL', async () => {
    const callee = await phone('1002', 'uas-ring-until-cancel.xml');
    const started = Date.now();
    const caller = uac({ scenario: 'uac-expect-final.xml', service: DIDS.toPhone, status: 480 });
    const [c, d] = await Promise.all([caller.done, callee.done]);
    passed(c);
    passed(d);
    expect(Date.now() - started).toBeGreaterThanOrEqual(4_900);
    const { a } = await lastCallTo(stack, DIDS.toPhone, 2);
    expect(a.at(-1)?.data).toMatchObject({ cause: 'no-answer', sipStatus: 480 });
  }, 60_000);

  it('BYE from the callee ends both legs', async () => {
    const callee = await phone('1002', 'uas-answer-then-bye.xml', {}, 300);
    const caller = uac({ scenario: 'uac-wait-bye.xml', service: DIDS.toPhone });
    const [c, d] = await Promise.all([caller.done, callee.done]);
    passed(c);
    passed(d);
    const { a } = await lastCallTo(stack, DIDS.toPhone, 2);
    expect(a.at(-1)?.data).toMatchObject({ cause: 'normal', hungUpBy: 'callee' });
  }, 60_000);

  it('re-INVITE hold and resume are passed through and recorded', async () => {
    const callee = await phone('1002', 'uas-accept-reinvite.xml');
    const caller = uac({ scenario: 'uac-hold-resume.xml', service: DIDS.toPhone });
    const [c, d] = await Promise.all([caller.done, callee.done]);
    passed(c);
    passed(d);
    const { a } = await lastCallTo(stack, DIDS.toPhone, 2);
    expect(types(a)).toEqual(['LegCreated', 'LegRinging', 'LegAnswered', 'LegBridged', 'LegHeld', 'LegResumed', 'LegEnded']);
  }, 60_000);

  it('183 early media reaches the caller before the answer', async () => {
    const callee = await phone('1002', 'uas-early-media.xml');
    const caller = uac({ scenario: 'uac-call.xml', service: DIDS.toPhone });
    const [c, d] = await Promise.all([caller.done, callee.done]);
    passed(c);
    passed(d);
    const { a } = await lastCallTo(stack, DIDS.toPhone, 2);
    expect(types(a)).toContain('LegEarlyMediaStarted');
  }, 60_000);

  it('late offer (INVITE without SDP): the phone offers in its 200, the caller answers in its ACK, and the phone gets that answer in our ACK', async () => {
    const callee = await phone('1002', 'uas-answer-late-offer.xml');
    const caller = uac({ scenario: 'uac-late-offer.xml', service: DIDS.toPhone });
    const [c, d] = await Promise.all([caller.done, callee.done]);
    passed(c); // SIPp checked our 200 carries an offer
    passed(d); // and that our ACK carries an answer
    const { a } = await lastCallTo(stack, DIDS.toPhone, 2);
    expect(types(a)).toEqual(['LegCreated', 'LegRinging', 'LegAnswered', 'LegBridged', 'LegEnded']);
  }, 60_000);

  it('an unknown number is refused with 404 (SPEC N-7), from a phone and from a trunk', async () => {
    const fromPhone = await uac({ scenario: 'uac-auth-expect-final.xml', service: '1999', status: 404, user: '1001', password: 's3cret-1001', localPort: await freePort() }).done;
    passed(fromPhone);
    const fromTrunk = await uac({ scenario: 'uac-expect-final.xml', service: '0399999999', status: 404 }).done;
    passed(fromTrunk);
    const { a } = await lastCallTo(stack, '0399999999', 1);
    expect(a.at(-1)?.data).toMatchObject({ cause: 'rejected', sipStatus: 404 });
  }, 60_000);

  it('over TCP: a phone registered over TCP is rung over TCP (a new connection to its Contact once the registering one closed), and the caller calls over TCP', async () => {
    const port = await freePort();
    const reg = await sipp({
      scenario: 'register.xml',
      remote: `127.0.0.1:${stack.sipPort}`,
      localPort: port,
      user: '1004',
      password: 's3cret-1004',
      authUri: stack.domain,
      keys: { user: '1004', domain: stack.domain },
      extra: ['-t', 't1'],
    }).done;
    passed(reg);
    // SIPp keeps no TCP connection between runs: the UAS listens on the same port and the edge connects to it again
    const callee = sipp({ scenario: 'uas-answer.xml', localPort: port, keys: { domain: stack.domain }, extra: ['-t', 't1'], timeoutSeconds: 30 });
    await eventually(
      'the TCP phone to listen',
      () =>
        new Promise<boolean>((resolve) => {
          const probe = connect({ host: '127.0.0.1', port }, () => {
            probe.destroy();
            resolve(true);
          });
          probe.on('error', () => resolve(false));
        }),
      10_000,
      50,
    );
    const caller = uac({ scenario: 'uac-call-auth.xml', service: '1004', user: '1001', password: 's3cret-1001', localPort: await freePort(), extra: ['-t', 't1'] });
    const [c, d] = await Promise.all([caller.done, callee.done]);
    passed(c);
    passed(d);
    const { b } = await lastCallTo(stack, '1004', 2);
    expect(b[0][0].data).toMatchObject({ farEnd: { kind: 'extension', number: '1004' } });
  }, 60_000);

  it('a 70-digit dial string is refused (400) and still recorded, its number cut to the 64 characters an event holds (SPEC H-1)', async () => {
    const dialed = '1'.repeat(70);
    const r = await uac({ scenario: 'uac-auth-expect-final.xml', service: dialed, status: 400, user: '1001', password: 's3cret-1001', localPort: await freePort() }).done;
    passed(r);
    const { a } = await lastCallTo(stack, `${'1'.repeat(63)}…`, 1);
    expect(a.at(-1)?.data).toMatchObject({ cause: 'rejected', sipStatus: 400 });
  }, 30_000);

  it('a phone that is not registered gives 480', async () => {
    const r = await uac({ scenario: 'uac-expect-final.xml', service: '0312345678', status: 480 }).done; // DID → 1001, never registered here
    passed(r);
  }, 30_000);
});
