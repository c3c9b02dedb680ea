import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CallerEndpoint, decideRoute } from '@pbx/domain-dialplan';
import { hashSecrets, parseProvisioning, Provisioning } from '@pbx/provisioning';
import { routingView } from './routing-view';

const r = parseProvisioning(readFileSync(join(__dirname, '../../../deploy/demo/provisioning.yaml'), 'utf8'));
if (!r.ok) throw new Error(JSON.stringify(r.errors));
const demo: Provisioning = r.provisioning;
const view = routingView(hashSecrets(demo, (s) => `hash-of-${s.kind === 'extension' ? s.username : s.login}`));

const callers: CallerEndpoint[] = [
  { kind: 'extension', extension: '1001' },
  { kind: 'extension', extension: '2001' },
  { kind: 'trunk', trunkId: 'carrier-a', callerNumber: '0311112222' },
  { kind: 'peer', prefix: '12', extension: '1001' },
];
const dialed = ['1001', '1002', '1003', '2001', '6001', '6002', '5001', '0312345678', '0312345679', '0501234567', '09011112222', '91002', '700', '701', '720', '721', '121001', '81002', '8701', '1999', '10', '1a', '', '*1', '1#'];

describe('routing view (the dialplan runs on hashed documents without secrets)', () => {
  it('holds no secret at all: no hash, no clear text', () => {
    const text = JSON.stringify(view);
    expect(text).not.toMatch(/hash-of-|s3cret|pass-1/);
    expect(view.extensions.filter((e) => e.kind !== 'mobile').every((e) => 'password' in e && e.password === '')).toBe(true);
    expect(view.accounts.every((a) => a.password === '')).toBe(true);
  });

  it.each(callers)('routes every number class the same as the clear-text file does (caller %o)', (caller) => {
    for (const d of dialed) {
      expect({ d, route: decideRoute(d, caller, view) }).toEqual({ d, route: decideRoute(d, caller, demo) });
      expect({ d, route: decideRoute(d, caller, view, { midCall: true }) }).toEqual({ d, route: decideRoute(d, caller, demo, { midCall: true }) });
    }
  });
});
