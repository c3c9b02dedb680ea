import { eventually, freePort } from '@pbx/testing';
import { DIDS, EdgeStack, lastCallTo, legsOfCallTo, passed, PASSWORDS, registerPhone, sipp, startEdgeStack } from './support/edge-stack';

// SPEC Q-5: with `overLimitForward` set, an inbound external call over the channel limit is not
// refused but forwarded to that extension, which sees the original caller (F-7 presentation);
// an outbound call over the limit fails with 503.

describe('over the channel limit with overLimitForward (SPEC Q-5)', () => {
  let stack: EdgeStack;
  beforeAll(async () => {
    stack = await startEdgeStack({ channelLimit: 1, overLimitForward: '1003' });
  }, 90_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('the second simultaneous carrier call is forwarded to overLimitForward, presenting the carrier caller', async () => {
    const port1002 = await freePort();
    const port1003 = await freePort();
    await registerPhone(stack, '1002', port1002);
    await registerPhone(stack, '1003', port1003);
    const first = sipp({ scenario: 'uas-answer.xml', localPort: port1002, keys: { domain: stack.domain }, timeoutSeconds: 30 });
    const forwardTarget = sipp({ scenario: 'uas-answer.xml', localPort: port1003, keys: { domain: stack.domain }, timeoutSeconds: 30 });
    // two calls to the same DID, one second apart, each held 3 s: the second finds the one channel taken
    const carrier = sipp({
      scenario: 'uac-call.xml',
      remote: `127.0.0.1:${stack.sipPort}`,
      localPort: stack.trunkPort,
      service: DIDS.toPhone,
      calls: 2,
      rate: 1,
      durationMs: 3_000,
      keys: { domain: stack.domain, caller: '0399998888' },
      timeoutSeconds: 30,
    });
    const [c, one, two] = await Promise.all([carrier.done, first.done, forwardTarget.done]);
    passed(c);
    passed(one);
    passed(two);
    const calls = await legsOfCallTo(stack.databaseUrl, DIDS.toPhone);
    const last2 = calls.slice(-2);
    const bLegs = last2.map(({ legs }) => [...legs.values()].find((events) => events[0].data['side'] === 'b-leg')?.[0].data);
    expect(bLegs.map((b) => b?.['callee']).sort()).toEqual(['1002', '1003']);
    // F-7: the forwarded call shows the carrier's caller, not a local number
    expect(bLegs.find((b) => b?.['callee'] === '1003')).toMatchObject({ presentedCaller: '0399998888' });
  }, 60_000);

  it('an outbound call over the limit fails with 503 to the calling phone', async () => {
    const port1002 = await freePort();
    await registerPhone(stack, '1002', port1002);
    const phone = sipp({ scenario: 'uas-answer.xml', localPort: port1002, keys: { domain: stack.domain }, timeoutSeconds: 30 });
    const carrier = sipp({
      scenario: 'uac-call.xml',
      remote: `127.0.0.1:${stack.sipPort}`,
      localPort: stack.trunkPort,
      service: DIDS.toPhone,
      durationMs: 4_000, // holds the one channel meanwhile
      keys: { domain: stack.domain },
      timeoutSeconds: 30,
    });
    await eventually('the carrier call answered', async () => {
      const last = (await legsOfCallTo(stack.databaseUrl, DIDS.toPhone)).at(-1);
      return [...(last?.legs.values() ?? [])].some((events) => events.some((e) => e.type === 'LegAnswered') && events[0].data['side'] === 'a-leg' && !events.some((e) => e.type === 'LegEnded'));
    });
    const out = await sipp({
      scenario: 'uac-auth-expect-final.xml',
      remote: `127.0.0.1:${stack.sipPort}`,
      localPort: await freePort(),
      service: '0312349999',
      status: 503,
      user: '1001',
      password: PASSWORDS['1001'],
      keys: { domain: stack.domain, caller: '1001' },
    }).done;
    passed(out);
    passed(await carrier.done);
    passed(await phone.done);
    const { a } = await lastCallTo(stack, '0312349999', 1);
    expect(a?.at(-1)?.data).toMatchObject({ cause: 'over-channel-limit', sipStatus: 503 });
  }, 60_000);
});
