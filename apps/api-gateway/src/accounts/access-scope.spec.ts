import type { LegUsage } from '@pbx/contracts';
import { parseProvisioning } from '@pbx/provisioning';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { accessScope, legInScope } from './access-scope';

// The demo provisioning's numbering: center 5001 (DID 0312345678 → 5001), extensions 1001…
const demo = (() => {
  const r = parseProvisioning(readFileSync(join(__dirname, '../../../../deploy/demo/provisioning.yaml'), 'utf8'));
  if (!r.ok) throw new Error('demo provisioning must parse');
  return r.provisioning;
})();

describe('access scope (SPEC A-1)', () => {
  it('system admin: everything (no scope)', () => {
    expect(accessScope({ role: 'system-admin' }, demo)).toBeUndefined();
  });

  it('supervisor: granted numbers plus, per granted center, its extension, tied number and DIDs routing to it', () => {
    const p = { ...demo, callCenters: [{ ...demo.callCenters[0], notificationNumber: '0501112222' }], dids: [...demo.dids, { number: '0399990000', target: '5001' }] };
    expect(accessScope({ role: 'supervisor', grants: { callCenters: ['5001'], numbers: ['1003'] } }, p)).toEqual({ numbers: ['0312345678', '0399990000', '0501112222', '1003', '5001'].sort() });
  });

  it('supervisor: a grant of a center that does not exist, or of text that cannot be a number, grants nothing', () => {
    expect(accessScope({ role: 'supervisor', grants: { callCenters: ['5999'], numbers: ['Support team', '1001'] } }, demo)).toEqual({ numbers: ['1001'] });
    expect(accessScope({ role: 'supervisor' }, demo)).toEqual({ numbers: [] });
  });

  it('user: the number of its sign-in device, extension or external; none → sees nothing', () => {
    expect(accessScope({ role: 'user', agent: { enabled: true, signIn: { type: 'extension', number: '1002' } } }, demo)).toEqual({ numbers: ['1002'] });
    expect(accessScope({ role: 'user', agent: { enabled: true, signIn: { type: 'external', number: '09087654321' } } }, demo)).toEqual({ numbers: ['09087654321'] });
    expect(accessScope({ role: 'user' }, demo)).toEqual({ numbers: [] });
    // Grants on a user account are ignored: users act on their own account only.
    expect(accessScope({ role: 'user', grants: { callCenters: ['5001'], numbers: ['1001'] } }, demo)).toEqual({ numbers: [] });
  });
});

describe('channel legs in scope', () => {
  const leg = (o: Partial<LegUsage>): LegUsage => ({
    legId: 'l1',
    pool: 'channel',
    callId: 'c1',
    direction: 'inbound',
    farEnd: { kind: 'trunk', trunkId: 'carrier-a', number: '09011112222' },
    since: '2026-01-01T00:00:00.000Z',
    renewedAt: '2026-01-01T00:00:00.000Z',
    expiresAt: '2026-01-01T00:00:30.000Z',
    ...o,
  });
  it('matches the local party, the far end’s number or its extension', () => {
    const scope = { numbers: ['0312345678', '2001'] };
    expect(legInScope(leg({ localParty: '0312345678' }), scope)).toBe(true);
    expect(legInScope(leg({ farEnd: { kind: 'mobile', extension: '2001' } }), scope)).toBe(true);
    expect(legInScope(leg({ farEnd: { kind: 'agent-external', number: '0312345678' } }), scope)).toBe(true);
    expect(legInScope(leg({ localParty: '0312345679' }), scope)).toBe(false);
    expect(legInScope(leg({}), { numbers: [] })).toBe(false);
    expect(legInScope(leg({}), undefined)).toBe(true);
  });
});
