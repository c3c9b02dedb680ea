import { freePort, eventually } from '@pbx/testing';
import { answeredCallTo, DIDS, EdgeStack, legsOfCallTo, passed, registerPhone, sipp, startEdgeStack } from './support/edge-stack';
import { udpExchange } from './support/udp';

// sip-edge restarts and shutdowns: registrations survive a restart (they live in PostgreSQL);
// SIGTERM refuses new calls with 503, lets live calls go on until the drain deadline, then
// hangs them up with BYE and records them as ended by `drain`.


describe('sip-edge lifecycle', () => {
  let stack: EdgeStack;
  let phonePort: number;
  beforeAll(async () => {
    stack = await startEdgeStack({ quota: false, edgeEnv: { DRAIN_SECONDS: '3', MAX_CALL_SECONDS: '6' } });
    phonePort = await freePort();
  }, 90_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('a registration survives a sip-edge restart: the phone is rung without registering again', async () => {
    await registerPhone(stack, '1002', phonePort);
    await stack.edge.stop(5_000);
    await stack.startEdge();
    const callee = sipp({ scenario: 'uas-answer.xml', localPort: phonePort, keys: { domain: stack.domain } });
    const caller = sipp({ scenario: 'uac-call.xml', remote: `127.0.0.1:${stack.sipPort}`, localPort: stack.trunkPort, service: DIDS.toPhone, keys: { domain: stack.domain } });
    const [c, d] = await Promise.all([caller.done, callee.done]);
    passed(c);
    passed(d);
  }, 60_000);

  it('an answered call is hung up after MAX_CALL_SECONDS, both sides get BYE (nothing is held for ever)', async () => {
    await registerPhone(stack, '1002', phonePort);
    const started = Date.now();
    const callee = sipp({ scenario: 'uas-answer.xml', localPort: phonePort, keys: { domain: stack.domain }, timeoutSeconds: 30 });
    const caller = sipp({ scenario: 'uac-wait-bye.xml', remote: `127.0.0.1:${stack.sipPort}`, localPort: stack.trunkPort, service: DIDS.toPhone, keys: { domain: stack.domain }, timeoutSeconds: 30 });
    const [c, d] = await Promise.all([caller.done, callee.done]);
    passed(c);
    passed(d);
    expect(Date.now() - started).toBeGreaterThanOrEqual(5_900);
    const last = (await legsOfCallTo(stack.databaseUrl, DIDS.toPhone)).at(-1);
    for (const events of last?.legs.values() ?? []) expect(events.at(-1)).toMatchObject({ type: 'LegEnded', data: { cause: 'normal', hungUpBy: 'system' } });
  }, 60_000);

  it('SIGTERM: new INVITEs get 503, the live call goes on until the drain deadline, then both sides get BYE and the legs end with cause drain', async () => {
    await registerPhone(stack, '1002', phonePort);
    const callsBefore = (await legsOfCallTo(stack.databaseUrl, DIDS.toPhone)).length;
    const callee = sipp({ scenario: 'uas-answer.xml', localPort: phonePort, keys: { domain: stack.domain }, timeoutSeconds: 30 });
    const caller = sipp({ scenario: 'uac-wait-bye.xml', remote: `127.0.0.1:${stack.sipPort}`, localPort: stack.trunkPort, service: DIDS.toPhone, keys: { domain: stack.domain }, timeoutSeconds: 30 });
    await answeredCallTo(stack, DIDS.toPhone, callsBefore);
    const termAt = Date.now();
    stack.edge.child.kill('SIGTERM');
    // a new call while draining: 503
    let attempt = 0;
    const res = await eventually(
      'a 503 for a new INVITE',
      async () => {
        // a new transaction each time: a retransmission would only get the first answer again
        attempt++;
        const r = await udpExchange(
          stack.sipPort,
          [
            `INVITE sip:${DIDS.toPhone}@127.0.0.1 SIP/2.0`,
            `Via: SIP/2.0/UDP 127.0.0.1:LOCALPORT;branch=z9hG4bKdrain${attempt};rport`,
            'From: <sip:0399990000@127.0.0.1>;tag=d1',
            `To: <sip:${DIDS.toPhone}@127.0.0.1>`,
            `Call-ID: drain-probe-${attempt}`,
            'CSeq: 1 INVITE',
            'Contact: <sip:probe@127.0.0.1:LOCALPORT>',
            'Content-Length: 0',
            '',
            '',
          ].join('\r\n'),
          1_000,
        );
        return r?.startsWith('SIP/2.0 503') ? r : undefined;
      },
      5_000,
      50,
    );
    expect(res).toMatch(/^SIP\/2\.0 503 /);
    process.stdout.write('[drain] 503 seen, waiting for SIPp\n');
    const [c, d] = await Promise.all([caller.done, callee.done]);
    process.stdout.write(`[drain] sipp done ${c.code} ${d.code} after ${Date.now() - termAt} ms\n`);
    passed(c); // the caller got the BYE
    passed(d); // and so did the callee
    const endedAfter = Date.now() - termAt;
    expect(endedAfter).toBeGreaterThanOrEqual(2_900);
    if (stack.edge.child.exitCode === null && stack.edge.child.signalCode === null) await new Promise((r) => stack.edge.child.once('exit', r));
    const last = (await legsOfCallTo(stack.databaseUrl, DIDS.toPhone)).at(-1);
    const ends = [...(last?.legs.values() ?? [])].map((events) => events.at(-1));
    expect(ends).toHaveLength(2);
    for (const e of ends) expect(e).toMatchObject({ type: 'LegEnded', data: { cause: 'drain', hungUpBy: 'system' } });
  }, 60_000);
});
