import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { diffProvisioning, parseProvisioning, Provisioning, summarizeProvisioning } from './index';

function load(text: string): Provisioning {
  const r = parseProvisioning(text);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.provisioning;
}

const example = load(readFileSync(join(__dirname, '../test/fixtures/provisioning.example.yaml'), 'utf8'));
const demo = load(readFileSync(join(__dirname, '../../../deploy/demo/provisioning.yaml'), 'utf8'));

describe('provisioning diff and summary', () => {
  it('an unchanged file changes nothing', () => {
    expect(diffProvisioning(example, structuredClone(example))).toEqual({ added: [], removed: [], changed: [] });
  });

  it('names added, removed and changed entities, never their values', () => {
    const next = structuredClone(example);
    next.extensions = next.extensions.filter((e) => e.number !== '1002');
    next.extensions.push({ number: '1003', kind: 'softphone', name: 'New', password: 'new-secret-1' });
    next.accounts[0].password = 'rotated-password';
    const d = diffProvisioning(example, next);
    expect(d).toEqual({ added: ['extension 1003'], removed: ['extension 1002'], changed: ['account admin'] });
    expect(JSON.stringify(d)).not.toMatch(/secret|rotated/);
  });

  it('summarizes the demo file in one line', () => {
    expect(summarizeProvisioning(demo)).toBe('8 extensions, 2 groups, 1 call center, 0 IVRs, 4 DIDs, 1 trunk, 5 accounts, 1 federation peer');
    expect(diffProvisioning(example, demo).added).toEqual(expect.arrayContaining(['extension 1003', 'group 6002', 'did 0312345680', 'account agent3']));
  });
});
