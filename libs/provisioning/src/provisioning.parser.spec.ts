import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { formatProvisioningErrors, hashSecrets, hashSecretsAsync, parseProvisioning, ProvisioningError, SecretToHash, validateProvisioning } from './index';

const repoRoot = join(__dirname, '../../..');
const exampleText = readFileSync(join(__dirname, '../test/fixtures/provisioning.example.yaml'), 'utf8');

/** An edit of the YAML tree, addressed by the same paths the errors use. */
type Edit = { set: string; to: unknown } | { del: string } | { push: string; items: unknown[] };

/** The example file with edits applied, back through the real YAML loader. */
function exampleWith(...edits: Edit[]): string {
  const doc: unknown = parse(exampleText);
  for (const e of edits) apply(doc, e);
  return stringify(doc);
}

function apply(doc: unknown, e: Edit): void {
  const path = 'set' in e ? e.set : 'del' in e ? e.del : e.push;
  const keys = path.split(/\.|\[(\d+)\]/).filter((k) => k !== undefined && k !== '');
  const last = keys.pop()!;
  let node = doc;
  for (const k of keys) node = (node as Record<string, unknown>)[k];
  const parent = node as Record<string, unknown>;
  if ('set' in e) parent[last] = e.to;
  else if ('del' in e) delete parent[last];
  else (parent[last] as unknown[]).push(...e.items);
}

const set = (path: string, to: unknown): Edit => ({ set: path, to });
const del = (path: string): Edit => ({ del: path });
const push = (path: string, ...items: unknown[]): Edit => ({ push: path, items });

function errorsOf(yamlText: string): ProvisioningError[] {
  const r = parseProvisioning(yamlText);
  if (r.ok) throw new Error('expected the file to be rejected, but it loaded');
  return r.errors;
}

function expectLoads(yamlText: string) {
  const r = parseProvisioning(yamlText);
  if (!r.ok) throw new Error(`expected the file to load, got:\n${JSON.stringify(r.errors, null, 2)}`);
  return r.provisioning;
}

const auMobile = { number: '2002', kind: 'mobile', name: 'Kato', mobileNumber: '08011112222', carrier: 'au' };

describe('provisioning: the contract files load', () => {
  it('SPEC B-3: the example file loads with its values and defaults', () => {
    const p = expectLoads(exampleText);
    expect(p.server).toMatchObject({ id: 'tokyo-1', federationPrefix: '11', channelLimit: 10, mobileChannelLimit: 5, parkSlots: 20, overLimitForward: null, mobileShowCallerNumber: false });
    expect(p.extensions.map((e) => `${e.number}:${e.kind}`)).toEqual(['1001:softphone', '1002:hardphone', '2001:mobile']);
    expect(p.extensions[2]).toMatchObject({ carrier: 'docomo', mobileNumber: '09012345678' });
    expect(p.groups[0].members).toEqual(['1001', '1002', '2001']);
    expect(p.callCenters[0]).toMatchObject({ number: '5001', timeoutSeconds: 30, wrapUpSeconds: 30, agents: ['agent1', 'agent2'] });
    expect(p.dids).toHaveLength(3);
    expect(p.accounts.map((a) => a.role)).toEqual(['system-admin', 'supervisor', 'user', 'user']);
    expect(p.accounts[3].agent?.signIn).toEqual({ type: 'external', number: '09087654321' });
    expect(p.federation.peers).toEqual([{ serverId: 'osaka-1', prefix: '12' }]);
    expect(p.ivrs).toEqual([]);
  });

  it('SPEC B-3: the demo file of the local stack (deploy/demo/provisioning.yaml) loads', () => {
    const p = expectLoads(readFileSync(join(repoRoot, 'deploy/demo/provisioning.yaml'), 'utf8'));
    expect(p.extensions.map((e) => e.number)).toEqual(expect.arrayContaining(['1001', '1002', '1003', '1004', '2001']));
    expect(p.groups.length).toBeGreaterThanOrEqual(2);
  });

  it('SPEC B-3: optional keys may be left out and get their defaults', () => {
    const p = expectLoads(
      stringify({
        server: { id: 'mini', domain: 'mini.test', channelLimit: 2, mobileChannelLimit: 0, defaultNotificationNumber: '0300000000' },
        trunks: [{ id: 't', host: 'sip.example.test', dids: ['0300000000'] }],
      }),
    );
    expect(p.server).toMatchObject({ parkSlots: 20, ringTimeoutSeconds: 30, historyRetentionDays: 400, overLimitForward: null });
    expect(p.server.federationPrefix).toBeUndefined();
    expect(p.trunks[0]).toMatchObject({ port: 5060, transport: 'udp' });
    expect(p.federation.peers).toEqual([]);
  });

  it('SPEC F-2: a two-digit prefix in 80–89 is accepted', () => {
    expectLoads(exampleWith(set('federation.peers[0].prefix', '80')));
  });

  it('SPEC M-13: 110X is fine for a softphone when no mobile is with au', () => {
    expectLoads(exampleWith(push('extensions', { number: '1101', kind: 'softphone', name: 'X', password: 'long-enough' })));
  });

  it('SPEC M-13: an au mobile is fine next to phones outside 110X/118X/119X', () => {
    expectLoads(exampleWith(push('extensions', auMobile)));
  });

  it('SPEC Q-5: overLimitForward may name a group', () => {
    expect(expectLoads(exampleWith(set('server.overLimitForward', '6001'))).server.overLimitForward).toBe('6001');
  });
});

// One broken file per rule: [name with the SPEC rule id, change, expected path, expected rule].
const cases: Array<[string, Edit[], string, string | undefined]> = [
  // SPEC N-1 — extension numbering
  ['N-1 extension outside 1000–6999', [set('extensions[0].number', '7001')], 'extensions[0].number', 'N-1'],
  ['N-1 extension with 3 digits', [set('extensions[1].number', '100')], 'extensions[1].number', 'N-1'],
  ['N-1 extension with a letter', [set('extensions[0].number', '10a1')], 'extensions[0].number', 'N-1'],
  ['N-1 extension 0999', [set('extensions[0].number', '0999')], 'extensions[0].number', 'N-1'],
  ['N-1 group outside the range', [set('groups[0].number', '8001')], 'groups[0].number', 'N-1'],
  ['N-1 call center outside the range', [set('callCenters[0].number', '9001')], 'callCenters[0].number', 'N-1'],
  ['N-1 a group reuses an extension number', [set('groups[0].number', '1002')], 'groups[0].number', 'N-1'],
  ['N-1 a call center reuses a group number', [set('callCenters[0].number', '6001')], 'callCenters[0].number', 'N-1'],
  ['N-1 two extensions share a number', [set('extensions[1].number', '1001')], 'extensions[1].number', 'N-1'],
  ['N-1 an IVR reuses a call center number', [set('ivrs', [{ number: '5001', name: 'Menu' }])], 'ivrs[0].number', 'N-1'],
  // SPEC M-12 — mobiles in 2000–3999
  ['M-12 mobile in the 1000 range', [set('extensions[2].number', '1501')], 'extensions[2].number', 'M-12'],
  ['M-12 mobile in the 4000 range', [set('extensions[2].number', '4001')], 'extensions[2].number', 'M-12'],
  // SPEC M-13 — au reserves 110X, 118X, 119X for phones
  ['M-13 softphone 1101 next to an au mobile', [push('extensions', auMobile, { number: '1101', kind: 'softphone', name: 'X', password: 'long-enough' })], 'extensions[4].number', 'M-13'],
  ['M-13 hardphone 1189 next to an au mobile', [push('extensions', { number: '1189', kind: 'hardphone', name: 'X', password: 'long-enough' }, auMobile)], 'extensions[3].number', 'M-13'],
  ['M-13 softphone 1190 when the existing mobile turns au', [set('extensions[2].carrier', 'au'), set('extensions[0].number', '1190'), set('groups[0].members', ['1190', '1002']), set('dids[1].target', '1190')], 'extensions[0].number', 'M-13'],
  // SPEC F-2 — federation prefixes
  ['F-2 own prefix 7', [set('server.federationPrefix', '7')], 'server.federationPrefix', 'F-2'],
  ['F-2 own prefix 8', [set('server.federationPrefix', '8')], 'server.federationPrefix', 'F-2'],
  ['F-2 own prefix 9', [set('server.federationPrefix', '9')], 'server.federationPrefix', 'F-2'],
  ['F-2 own prefix 99 (above 98)', [set('server.federationPrefix', '99')], 'server.federationPrefix', 'F-2'],
  ['F-2 own prefix 0 (N-2 collision)', [set('server.federationPrefix', '0')], 'server.federationPrefix', 'F-2'],
  ['F-2 peer prefix 05 (N-2 collision)', [set('federation.peers[0].prefix', '05')], 'federation.peers[0].prefix', 'F-2'],
  ['F-2 peer prefix of 3 digits', [set('federation.peers[0].prefix', '123')], 'federation.peers[0].prefix', 'F-2'],
  ['F-2 peer prefix equals our own', [set('federation.peers[0].prefix', '11')], 'federation.peers[0].prefix', 'F-2'],
  ['F-2 two peers share a prefix', [push('federation.peers', { serverId: 'nagoya-1', prefix: '12' })], 'federation.peers[1].prefix', 'F-2'],
  ['F-2 a peer with our own server id', [set('federation.peers[0].serverId', 'tokyo-1')], 'federation.peers[0].serverId', 'F-2'],
  ['F-2 peers listed but no own prefix', [del('server.federationPrefix')], 'server.federationPrefix', 'F-2'],
  // DIDs (ダイヤルイン)
  ['N-2 DID number that is not a number', [set('dids[0].number', '03-1234-5678')], 'dids[0].number', 'N-2'],
  ['DID target that does not exist', [set('dids[1].target', '1999')], 'dids[1].target', undefined],
  ['DID number not in any trunk', [set('dids[2].number', '0399999999')], 'dids[2].number', undefined],
  ['DID number routed twice', [push('dids', { number: '0312345679', target: '1002' })], 'dids[3].number', undefined],
  ['a number on two trunks', [push('trunks', { id: 'carrier-b', host: '127.0.0.2', dids: ['0312345678'] })], 'trunks[1].dids[0]', undefined],
  ['two trunks with one id', [push('trunks', { id: 'carrier-a', host: '127.0.0.2' })], 'trunks[1].id', undefined],
  ['trunk transport outside udp/tcp', [set('trunks[0].transport', 'tls')], 'trunks[0].transport', undefined],
  ['trunk port out of range', [set('trunks[0].port', 70000)], 'trunks[0].port', undefined],
  // groups and call centers
  ['group member that does not exist', [set('groups[0].members[1]', '1999')], 'groups[0].members[1]', undefined],
  ['group member that is a call center', [set('groups[0].members[1]', '5001')], 'groups[0].members[1]', undefined],
  ['group member listed twice', [set('groups[0].members[2]', '1001')], 'groups[0].members[2]', undefined],
  ['group without members', [set('groups[0].members', [])], 'groups[0].members', undefined],
  ['call-center agent without an account', [set('callCenters[0].agents[1]', 'ghost')], 'callCenters[0].agents[1]', undefined],
  ['call-center agent whose account is not an agent', [set('callCenters[0].agents[1]', 'sv1')], 'callCenters[0].agents[1]', undefined],
  ['P-9 ACD timeout of 0 s', [set('callCenters[0].timeoutSeconds', 0)], 'callCenters[0].timeoutSeconds', undefined],
  // server settings
  ['Q-5 overLimitForward to nowhere', [set('server.overLimitForward', '1999')], 'server.overLimitForward', 'Q-5'],
  ['Q-1 negative channel limit', [set('server.channelLimit', -1)], 'server.channelLimit', undefined],
  ['N-4 more than 99 park slots', [set('server.parkSlots', 100)], 'server.parkSlots', undefined],
  ['C-7 default notification number that is not ours', [set('server.defaultNotificationNumber', '0399999999')], 'server.defaultNotificationNumber', 'C-7'],
  ['C-7 extension notification number that is not ours', [set('extensions[0].notificationNumber', '0399999999')], 'extensions[0].notificationNumber', 'C-7'],
  ['D-5 call-center notification number that is not ours', [set('callCenters[0].notificationNumber', '0399999999')], 'callCenters[0].notificationNumber', 'D-5'],
  ['D-3 mobileShowCallerNumber not a boolean', [set('server.mobileShowCallerNumber', 'yes')], 'server.mobileShowCallerNumber', undefined],
  // accounts, roles, grants, agents (SPEC A-1, §6)
  ['A-1 unknown role', [set('accounts[0].role', 'root')], 'accounts[0].role', undefined],
  ['A-1 grants on a user', [set('accounts[2].grants', { callCenters: ['5001'] })], 'accounts[2].grants', 'A-1'],
  ['A-1 grant of an unknown call center', [set('accounts[1].grants.callCenters', ['5999'])], 'accounts[1].grants.callCenters[0]', 'A-1'],
  ['A-1 grant of a number that is not ours', [set('accounts[1].grants.numbers', ['0399999999'])], 'accounts[1].grants.numbers[0]', 'A-1'],
  ['two accounts with one login', [set('accounts[3].login', 'agent1')], 'accounts[3].login', undefined],
  ['F-10 agent signs in on an unknown extension', [set('accounts[2].agent.signIn.number', '1999')], 'accounts[2].agent.signIn.number', 'F-10'],
  ['F-10 agent signs in on a group', [set('accounts[2].agent.signIn.number', '6001')], 'accounts[2].agent.signIn.number', 'F-10'],
  ['P-1 agent signs in on an external number with letters', [set('accounts[3].agent.signIn.number', '090-8765-4321')], 'accounts[3].agent.signIn.number', 'N-2'],
  ['C-1 agent signs in on one of our own numbers', [set('accounts[3].agent.signIn.number', '0312345679')], 'accounts[3].agent.signIn.number', 'C-1'],
  ['P-1 sign-in type neither extension nor external', [set('accounts[3].agent.signIn.type', 'sip')], 'accounts[3].agent.signIn.type', undefined],
  // secrets
  ['softphone without a password', [del('extensions[0].password')], 'extensions[0].password', undefined],
  ['hardphone with a short password', [set('extensions[1].password', 'short')], 'extensions[1].password', undefined],
  ['account without a password', [del('accounts[0].password')], 'accounts[0].password', undefined],
  ['account with an invalid e-mail', [set('accounts[0].email', 'not-an-address')], 'accounts[0].email', undefined],
  // mobiles
  ['mobile without a carrier', [del('extensions[2].carrier')], 'extensions[2].carrier', undefined],
  ['mobile with an unknown carrier', [set('extensions[2].carrier', 'kddi')], 'extensions[2].carrier', undefined],
  ['mobile without its mobile number', [del('extensions[2].mobileNumber')], 'extensions[2].mobileNumber', undefined],
  ['two mobiles with one mobile number', [push('extensions', { ...auMobile, carrier: 'softbank', mobileNumber: '09012345678' })], 'extensions[3].mobileNumber', undefined],
  ['extension of an unknown kind', [set('extensions[1].kind', 'deskphone')], 'extensions[1].kind', undefined],
  // shape
  ['an unknown key (typo) is reported, not ignored', [set('extensions[2].mobilenumber', '09000000000')], 'extensions[2].mobilenumber', undefined],
  ['an unquoted number is reported (YAML drops leading zeros)', [set('dids[0].number', 312345678)], 'dids[0].number', undefined],
  ['server section missing', [del('server')], 'server', undefined],
];

describe('provisioning: one broken file per rule is rejected at its path', () => {
  it.each(cases)('%s', (_name, edits, path, rule) => {
    const errors = errorsOf(exampleWith(...edits));
    const hit = errors.find((e) => e.path === path);
    if (!hit) throw new Error(`no error at ${path}; got:\n${JSON.stringify(errors, null, 2)}`);
    if (rule !== undefined) expect(hit.rule).toBe(rule);
  });
});

describe('provisioning: SPEC B-3 a bad file is rejected whole, with every error', () => {
  it('lists each of several faults in one answer, and no provisioning', () => {
    const text = exampleWith(
      set('extensions[0].number', '7001'), // N-1
      set('extensions[2].number', '4001'), // M-12
      set('server.federationPrefix', '9'), // F-2
      set('dids[1].target', '1999'), // unknown target
      set('accounts[0].role', 'root'), // role
      del('extensions[1].password'), // secret
      push('callCenters[0].agents', 'ghost'), // unknown agent
    );
    const r = parseProvisioning(text);
    expect(r.ok).toBe(false);
    expect('provisioning' in r).toBe(false);
    const paths = (r.ok ? [] : r.errors).map((e) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'extensions[0].number',
        'extensions[2].number',
        'server.federationPrefix',
        'dids[1].target',
        'accounts[0].role',
        'extensions[1].password',
        'callCenters[0].agents[2]',
      ]),
    );
  });

  it('does not report a cascade: a member naming a broken extension is not an extra error', () => {
    const errors = errorsOf(exampleWith(set('extensions[0].kind', 'deskphone')));
    expect(errors.map((e) => e.path)).toEqual(['extensions[0].kind']);
  });

  it('does not report a cascade: an unquoted extension number still names that extension', () => {
    expect(errorsOf(exampleWith(set('extensions[0].number', 1001)))).toEqual([{ path: 'extensions[0].number', message: 'must be a quoted string' }]);
  });

  it('checks the number of an extension whose kind is unreadable', () => {
    const errors = errorsOf(exampleWith(set('extensions[0].kind', 'deskphone'), set('extensions[0].number', '8001')));
    expect(errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'extensions[0].number', rule: 'N-1' })]));
  });

  it('reports every error once', () => {
    const errors = errorsOf(exampleWith(set('server.federationPrefix', '7')));
    expect(errors.filter((e) => e.path === 'server.federationPrefix')).toHaveLength(1);
  });

  it('formats every error on its own line, with its rule when it has one', () => {
    const errors: ProvisioningError[] = [{ path: 'extensions[0].number', message: 'clashes with a call center', rule: 'N-1' }, { path: 'accounts[0].role', message: 'is required' }];
    expect(formatProvisioningErrors(errors)).toBe('  - extensions[0].number: clashes with a call center (N-1)\n  - accounts[0].role: is required');
  });
});

describe('provisioning: any text gives an answer, never a throw', () => {
  it.each<[string, string]>([
    ['empty file', ''],
    ['a scalar', '42'],
    ['a list', '- a\n- b'],
    ['unclosed flow sequence', 'server: [1\nb: :'],
    ['tab indentation', 'server:\n\tid: x'],
    ['a key written twice', 'server: {}\nserver: {}'],
    ['an alias bomb', 'a: &a [1,1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]'],
    ['binary noise', '\u0000\u0001\uFFFF: ]]]['],
    ['a document stream', '---\na: 1\n---\nb: 2'],
    ['null sections', 'server:\nextensions:\ngroups:\nfederation:'],
  ])('%s', (_name, text) => {
    const r = parseProvisioning(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.length).toBeGreaterThan(0);
  });

  it('YAML syntax errors come back with their line', () => {
    const errors = errorsOf('server:\n  id: x\n  domain: [oops\n');
    expect(errors[0].path).toBe('(yaml)');
    expect(errors[0].message).toMatch(/^line \d+, column \d+: /);
  });

  it('an oversized file is refused before parsing', () => {
    expect(errorsOf(' '.repeat(5 * 1024 * 1024))[0].message).toMatch(/larger than/);
  });

  it('validateProvisioning accepts an already-parsed document and rejects junk', () => {
    expect(validateProvisioning(parse(exampleText)).ok).toBe(true);
    expect(validateProvisioning(undefined).ok).toBe(false);
    expect(validateProvisioning({ server: 'x', extensions: 'y', groups: [null, 3] }).ok).toBe(false);
  });
});

describe('provisioning: secrets are hashed by an injected function', () => {
  const fakeHash = (s: SecretToHash) => (s.kind === 'extension' ? `ha1(${s.username}:${s.realm}:${s.password})` : `h(${s.login}:${s.password})`);

  it('replaces every password with its hash and keeps everything else', () => {
    const p = expectLoads(exampleText);
    const h = hashSecrets(p, fakeHash);
    expect(h.extensions[0]).toEqual({ number: '1001', kind: 'softphone', name: 'Sato', passwordHash: 'ha1(1001:tokyo-1.pbx.test:s3cret-1001)' });
    expect(h.extensions[2]).toEqual(p.extensions[2]); // mobiles have no SIP password
    expect(h.accounts[0]).toMatchObject({ login: 'admin', passwordHash: 'h(admin:admin-pass-1)' });
    for (const x of [...h.extensions, ...h.accounts]) expect(x).not.toHaveProperty('password');
    expect(p.extensions[0]).toHaveProperty('password', 's3cret-1001'); // the input is untouched
  });

  it('works with an asynchronous hasher', async () => {
    const h = await hashSecretsAsync(expectLoads(exampleText), async (s) => fakeHash(s));
    expect(h.accounts.map((a) => a.passwordHash)).toEqual(['h(admin:admin-pass-1)', 'h(sv1:sv1-pass-1)', 'h(agent1:agent1-pass-1)', 'h(agent2:agent2-pass-1)']);
    expect(h.extensions[1]).toMatchObject({ passwordHash: 'ha1(1002:tokyo-1.pbx.test:s3cret-1002)' });
  });
});
