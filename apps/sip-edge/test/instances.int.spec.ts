import { freePort } from '@pbx/testing';
import { answeredCallTo, DIDS, EdgeStack, lastCallTo, legsOfCallTo, passed, registerPhone, sipp, startEdgeStack, StoredLegEvent } from './support/edge-stack';

// Answered calls outlive the instance that held them (ARCHITECTURE.md "Scale": dialog state
// recoverable). A sip-edge is SIGKILLed with a call up; a new instance either ends the call on
// both sides once the dead one's heartbeat is stale, or answers the BYE that reaches it.


/** The last legs of the newest call to the phone, once both have ended. */
async function lastEnds(stack: EdgeStack): Promise<Array<StoredLegEvent | undefined>> {
  const { a, b } = await lastCallTo(stack, DIDS.toPhone, 2);
  return [a.at(-1), ...b.map((events) => events.at(-1))];
}

describe('sip-edge instances: calls of a dead instance', () => {
  let stack: EdgeStack;
  let phonePort: number;
  beforeAll(async () => {
    stack = await startEdgeStack({ quota: false, edgeEnv: { ORPHAN_AFTER_SECONDS: '3' } });
    phonePort = await freePort();
  }, 90_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('SIGKILL with a call up: the next instance finds it once the heartbeat is stale, sends BYE to both sides and records the end', async () => {
    await registerPhone(stack, '1002', phonePort);
    const before = (await legsOfCallTo(stack.databaseUrl, DIDS.toPhone)).length;
    const callee = sipp({ scenario: 'uas-answer.xml', localPort: phonePort, keys: { domain: stack.domain }, timeoutSeconds: 40 });
    const caller = sipp({ scenario: 'uac-wait-bye.xml', remote: `127.0.0.1:${stack.sipPort}`, localPort: stack.trunkPort, service: DIDS.toPhone, keys: { domain: stack.domain }, timeoutSeconds: 40 });
    await answeredCallTo(stack, DIDS.toPhone, before);
    stack.edge.child.kill('SIGKILL');
    await new Promise((r) => stack.edge.child.once('exit', r));
    await stack.startEdge();
    const [c, d] = await Promise.all([caller.done, callee.done]);
    passed(c); // the caller got a BYE from the new instance
    passed(d); // and so did the phone
    for (const e of await lastEnds(stack)) expect(e).toMatchObject({ type: 'LegEnded', data: { cause: 'failed', hungUpBy: 'system' } });
  }, 90_000);

  it('a BYE for a call of a dead instance that reaches the next one is answered there, and the other side gets BYE', async () => {
    await stack.edge.stop(5_000);
    await stack.startEdge({ ORPHAN_AFTER_SECONDS: '600' }); // the sweep stays out of the way: the BYE does it
    await registerPhone(stack, '1002', phonePort);
    const before = (await legsOfCallTo(stack.databaseUrl, DIDS.toPhone)).length;
    const callee = sipp({ scenario: 'uas-answer.xml', localPort: phonePort, keys: { domain: stack.domain }, timeoutSeconds: 40 });
    const caller = sipp({
      scenario: 'uac-call.xml',
      remote: `127.0.0.1:${stack.sipPort}`,
      localPort: stack.trunkPort,
      service: DIDS.toPhone,
      durationMs: 8_000, // hangs up after the instance that answered is gone
      keys: { domain: stack.domain },
      timeoutSeconds: 40,
    });
    await answeredCallTo(stack, DIDS.toPhone, before);
    stack.edge.child.kill('SIGKILL');
    await new Promise((r) => stack.edge.child.once('exit', r));
    await stack.startEdge({ ORPHAN_AFTER_SECONDS: '600' });
    const [c, d] = await Promise.all([caller.done, callee.done]);
    passed(c); // its BYE got 200 from the new instance
    passed(d); // the phone got the BYE passed on
    for (const e of await lastEnds(stack)) expect(e).toMatchObject({ type: 'LegEnded', data: { cause: 'normal', hungUpBy: 'caller' } });
  }, 90_000);
});
