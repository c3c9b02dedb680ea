import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { foldEvents, spec } from '@pbx/domain-kernel';
import { hashSecrets, HashedProvisioning, parseProvisioning } from '@pbx/provisioning';
import { ApplyProvisioning, ProvisioningApplied, provisioningDecider } from './index';

// Secrets are hashed by the shell before the decider sees them; a readable fake hasher here.
function load(): HashedProvisioning {
  const r = parseProvisioning(readFileSync(join(__dirname, '../../../provisioning/test/fixtures/provisioning.example.yaml'), 'utf8'));
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return hashSecrets(r.provisioning, (s) => (s.kind === 'extension' ? `ha1(${s.username})` : `scrypt(${s.login})`));
}

const T0 = Date.parse('2025-04-01T09:00:00.000Z');
const doc1 = load();
const doc2: HashedProvisioning = { ...doc1, server: { ...doc1.server, channelLimit: 20 }, dids: doc1.dids.slice(1) };

const apply = (document: HashedProvisioning, documentHash: string, extra: Partial<ApplyProvisioning> = {}): ApplyProvisioning => ({
  type: 'ApplyProvisioning',
  serverId: 'tokyo-1',
  document,
  documentHash,
  now: T0,
  ...extra,
});

const first: ProvisioningApplied = {
  type: 'ProvisioningApplied',
  data: {
    serverId: 'tokyo-1',
    version: 1,
    documentHash: 'h1',
    previousHash: null,
    appliedAt: '2025-04-01T09:00:00.000Z',
    source: 'deploy/demo/provisioning.yaml',
    summary: '3 extensions, 1 group, 1 call center, 0 IVRs, 3 DIDs, 1 trunk, 4 accounts, 1 federation peer',
    diff: {
      added: [
        'server',
        'trunk carrier-a',
        'extension 1001',
        'extension 1002',
        'extension 2001',
        'group 6001',
        'call center 5001',
        'did 0312345678',
        'did 0312345679',
        'did 0501234567',
        'account admin',
        'account sv1',
        'account agent1',
        'account agent2',
        'peer osaka-1',
      ],
      removed: [],
      changed: [],
    },
    document: doc1,
  },
};

describe('provisioning decider (SPEC B-3)', () => {
  it('the first document of a server: version 1, everything added, the whole hashed document in the event', () =>
    spec(provisioningDecider).given([]).when(apply(doc1, 'h1', { source: 'deploy/demo/provisioning.yaml' })).then([first]));

  it('a new document: the next version, the diff against the one in force, the previous hash', () => {
    const [e] = provisioningDecider.decide(apply(doc2, 'h2', { now: T0 + 60_000, appliedBy: 'admin' }), foldEvents(provisioningDecider, [first]));
    expect(e).toEqual({
      type: 'ProvisioningApplied',
      data: expect.objectContaining({
        version: 2,
        documentHash: 'h2',
        previousHash: 'h1',
        appliedAt: '2025-04-01T09:01:00.000Z',
        appliedBy: 'admin',
        diff: { added: [], removed: ['did 0312345678'], changed: ['server'] },
        document: doc2,
      }),
    });
    expect(e.data).not.toHaveProperty('source');
  });

  it('says no to a document for another server id (server.id cannot change)', () =>
    spec(provisioningDecider)
      .given([first])
      .when(apply({ ...doc2, server: { ...doc2.server, id: 'tokyo-2' } }, 'h3'))
      .thenThrows('PROVISIONING.SERVER_ID_CHANGED'));

  it('says no to a first document whose id is not the target server', () =>
    spec(provisioningDecider).given([]).when(apply(doc1, 'h1', { serverId: 'osaka-1' })).thenThrows('PROVISIONING.SERVER_ID_CHANGED'));

  it('says no to a time that is not epoch milliseconds', () => spec(provisioningDecider).given([]).when(apply(doc1, 'h1', { now: Number.NaN })).thenThrows('PROVISIONING.INVALID_TIME'));

  it('stays quiet when the document in force is applied again (same hash)', () => spec(provisioningDecider).given([first]).when(apply(doc1, 'h1', { now: T0 + 1 })).thenNothing());

  it('evolve keeps only the latest document', () => {
    const second = provisioningDecider.decide(apply(doc2, 'h2'), foldEvents(provisioningDecider, [first]));
    expect(foldEvents(provisioningDecider, [first, ...second]).current).toEqual({ serverId: 'tokyo-1', version: 2, documentHash: 'h2', appliedAt: '2025-04-01T09:00:00.000Z', document: doc2 });
    expect(provisioningDecider.initialState().current).toBeUndefined();
  });
});
