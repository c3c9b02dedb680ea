import { decideRoute } from './dialplan.decider';
import { loadDialplanFixture } from '../test/provisioning.fixture';

// SPEC F-2 allows two-digit prefixes 70–79 and 90–98; N-3 (9+ext) and N-4 (7NN slots) still
// route by length, since the whole dial string arrives in the INVITE.
const base = loadDialplanFixture();
const withPeers = {
  ...base,
  federation: { peers: [...(base.federation?.peers ?? []), { serverId: 'sendai-1', prefix: '71' }, { serverId: 'fukuoka-1', prefix: '91' }] },
};
const from = { kind: 'extension', extension: '1001' } as const;

describe('SPEC F-2 prefixes beside park (N-4) and pickup (N-3)', () => {
  it.each([
    ['711001', { kind: 'federation', serverId: 'sendai-1', extension: '1001' }],
    ['911001', { kind: 'federation', serverId: 'fukuoka-1', extension: '1001' }],
    ['91002', { kind: 'pickup', extension: '1002' }],
    ['701', { kind: 'park-retrieve', slot: '701' }],
  ])('%s routes as %j', (dialed, expected) => {
    expect(decideRoute(dialed, from, withPeers)).toMatchObject(expected);
  });
});
