import { SessionState } from 'sip.js';
import { eventually, freePort } from '@pbx/testing';
import { EdgeStack, lastCallTo, PASSWORDS, registerPhone, sipp, startEdgeStack, passed } from './support/edge-stack';
import { NodeSoftphone, sessionState } from './support/node-softphone';
import { RtpProbe } from './support/rtp-probe';

// sip.js in Node over WebSocket as an independent user agent (issue #3): it registers with
// digest, calls and is called, cancels, is refused, holds and resumes, and hangs up, against
// SIPp phones and carrier through the real stack.


describe('sip.js user agent over WebSocket', () => {
  let stack: EdgeStack;
  let softphone: NodeSoftphone;
  let phonePort: number;

  beforeAll(async () => {
    stack = await startEdgeStack({ quota: false, ringTimeoutSeconds: 5 });
    softphone = await NodeSoftphone.start({ wsUrl: `ws://127.0.0.1:${stack.wsPort}`, user: '1001', password: PASSWORDS['1001'], domain: stack.domain });
    phonePort = await freePort();
  }, 90_000);
  afterAll(async () => {
    await softphone?.stop();
    await stack?.stop();
  });

  const sippPhone = async (scenario: string, keys: Record<string, string> = {}) => {
    await registerPhone(stack, '1002', phonePort);
    return sipp({ scenario, localPort: phonePort, keys: { domain: stack.domain, ...keys }, timeoutSeconds: 30 });
  };

  it('registers with digest over WebSocket and is rung by a carrier call to its DID; answers; the carrier hangs up', async () => {
    softphone.incoming = 'answer';
    const caller = sipp({ scenario: 'uac-call.xml', remote: `127.0.0.1:${stack.sipPort}`, localPort: stack.trunkPort, service: '0312345678', durationMs: 1_000, keys: { domain: stack.domain } });
    passed(await caller.done);
    const session = softphone.sessions.at(-1);
    if (session === undefined) throw new Error('no call reached sip.js');
    await sessionState(session, SessionState.Terminated);
    const [b] = (await lastCallTo(stack, '0312345678', 2)).b;
    expect(b?.map((e) => e.type)).toEqual(['LegCreated', 'LegRinging', 'LegAnswered', 'LegBridged', 'LegEnded']);
  }, 60_000);

  it('calls a SIPp phone, talks (RTP both ways through rtpengine), puts it on hold and back, and hangs up', async () => {
    const probe = await RtpProbe.open(); // the SIPp phone's RTP endpoint: counts and echoes
    const callee = await sippPhone('uas-accept-reinvite.xml', { rtp_port: String(probe.port) });
    try {
      const { inviter, final } = await softphone.call('1002');
      expect(await final).toBe(200);
      await sessionState(inviter, SessionState.Established);
      await eventually(
        'sip.js audio at the phone and the phone\'s echo back at sip.js',
        () => {
          softphone.rtp.send();
          return probe.received > 10 && softphone.rtp.received > 5;
        },
        10_000,
        20,
      );
      expect(await softphone.reinvite(inviter, true)).toBe(200);
      expect(await softphone.reinvite(inviter, false)).toBe(200);
      await inviter.bye();
      passed(await callee.done);
    } finally {
      probe.close();
    }
    const { a } = await lastCallTo(stack, '1002', 2);
    expect(a?.map((e) => e.type)).toEqual(['LegCreated', 'LegRinging', 'LegAnswered', 'LegBridged', 'LegHeld', 'LegResumed', 'LegEnded']);
    expect(a?.at(-1)?.data).toMatchObject({ cause: 'normal', hungUpBy: 'caller' });
  }, 60_000);

  it('cancels a call that rings: the phone gets CANCEL, sip.js sees 487 and the call terminated', async () => {
    const callee = await sippPhone('uas-ring-until-cancel.xml');
    const { inviter, ringing, final } = await softphone.call('1002');
    await ringing; // sip.js sends CANCEL only after a provisional response (RFC 3261 §9.1)
    await inviter.cancel();
    expect(await final).toBe(487);
    await sessionState(inviter, SessionState.Terminated);
    passed(await callee.done);
    const { a } = await lastCallTo(stack, '1002', 2);
    expect(a?.at(-1)?.data).toMatchObject({ cause: 'cancelled', hungUpBy: 'caller', sipStatus: 487 });
  }, 60_000);

  it('a busy SIPp phone: sip.js hears 486 passed back', async () => {
    const callee = await sippPhone('uas-busy.xml');
    const { final } = await softphone.call('1002');
    expect(await final).toBe(486);
    passed(await callee.done);
  }, 60_000);

  it('refuses a call to itself when set busy: the carrier hears 486', async () => {
    softphone.incoming = 'busy';
    const caller = sipp({ scenario: 'uac-expect-final.xml', remote: `127.0.0.1:${stack.sipPort}`, localPort: stack.trunkPort, service: '0312345678', status: 486, keys: { domain: stack.domain } });
    passed(await caller.done);
    softphone.incoming = 'answer';
  }, 30_000);
});
