import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalJson, diffProvisioning, hashSecrets, parseProvisioning, Provisioning, summarizeProvisioning } from './index';

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

describe('diff of stored documents', () => {
  it('a document whose keys come back in another order (jsonb) is unchanged', () => {
    const reordered = JSON.parse(canonicalJson(example)) as Provisioning; // keys sorted, as jsonb would not keep them
    expect(Object.keys(reordered.server)).not.toEqual(Object.keys(example.server));
    expect(diffProvisioning(example, reordered)).toEqual({ added: [], removed: [], changed: [] });
  });

  it('diffs and summarizes hashed documents (no password field at all)', () => {
    const hash = (p: Provisioning) => hashSecrets(p, (s) => (s.kind === 'extension' ? `ha1-of-${s.username}` : `scrypt-of-${s.login}`));
    const next = structuredClone(example);
    next.server.channelLimit = 11;
    expect(diffProvisioning(hash(example), hash(next))).toEqual({ added: [], removed: [], changed: ['server'] });
    expect(summarizeProvisioning(hash(example))).toBe(summarizeProvisioning(example));
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every depth, keeps array order, drops undefined like JSON.stringify', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[3,{"y":2,"z":1}]},"b":1}');
    expect(canonicalJson([2, 1])).toBe('[2,1]');
    expect(canonicalJson(null)).toBe('null');
  });
});

describe('diff of a first document', () => {
  it('lists every entity as added when there is no previous document', () => {
    const d = diffProvisioning(undefined, example);
    expect(d.removed).toEqual([]);
    expect(d.changed).toEqual([]);
    expect(d.added).toEqual(expect.arrayContaining(['server', 'trunk carrier-a', 'extension 1001', 'group 6001', 'call center 5001', 'did 0312345678', 'account admin', 'peer osaka-1']));
  });
});
