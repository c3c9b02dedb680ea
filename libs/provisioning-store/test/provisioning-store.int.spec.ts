import { connect, NatsConnection } from 'nats';
import { Client } from 'pg';
import { AppliedProvisioning, ProvisioningApplied } from '@pbx/domain-provisioning';
import { createEventStore, EventStore, migrateEventStore, Relay, startRelay } from '@pbx/event-store';
import { HashedProvisioning, Provisioning, validateProvisioning } from '@pbx/provisioning';
import { formatDigestSecret } from '@pbx/sip';
import { createTestDatabase, eventually, testNatsUrl, uniqueName } from '@pbx/testing';
import {
  applyProvisioning,
  followProvisioning,
  loadAppliedProvisioning,
  loadCurrentProvisioning,
  PROVISIONING_APPLIED_SUBJECT,
  ProvisioningConflictError,
  ProvisioningRejectedError,
  provisioningStream,
  ProvisioningTooLargeError,
  startLiveProvisioning,
  watchProvisioning,
} from '../src';
import { document, documentWith1003, PASSWORDS, TEST_COST } from './documents';

// Real PostgreSQL (the event store) and real NATS with the relay publishing what is appended.
describe('provisioning applied as an event (issue #4, SPEC B-3)', () => {
  let databaseUrl: string;
  let store: EventStore;
  let relay: Relay;
  let nc: NatsConnection;
  let db: Client;
  const T0 = Date.parse('2025-04-01T09:00:00.000Z');
  const meta = (extra: object = {}) => ({ accountCost: TEST_COST, clock: () => T0, source: 'test.yaml', ...extra });
  const newServer = () => uniqueName('ps').replace(/_/g, '-');
  const versionOf = async (serverId: string) => (await store.readStream(provisioningStream(serverId))).version;

  beforeAll(async () => {
    databaseUrl = await createTestDatabase('ps');
    await migrateEventStore(databaseUrl);
    store = createEventStore({ connectionString: databaseUrl, poolSize: 4 });
    relay = await startRelay({ connectionString: databaseUrl, nats: testNatsUrl() });
    nc = await connect({ servers: testNatsUrl() });
    db = new Client({ connectionString: databaseUrl });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await nc?.close();
    await relay?.stop();
    await store?.close();
  });

  it('apply twice: two events, each the whole hashed document with its version, hash, summary and diff', async () => {
    const serverId = newServer();
    const first = await applyProvisioning(store, document(serverId), meta());
    expect(first).toMatchObject({ status: 'applied', serverId, version: 1, previousHash: null, summary: '3 extensions, 1 group, 0 call centers, 0 IVRs, 1 DID, 1 trunk, 2 accounts, 0 federation peers' });
    expect(first.diff.added).toEqual(expect.arrayContaining(['server', 'extension 1001', 'account admin']));
    const second = await applyProvisioning(store, documentWith1003(serverId), meta({ appliedBy: 'admin' }));
    expect(second).toMatchObject({ status: 'applied', version: 2, previousHash: first.documentHash, diff: { added: ['extension 1003'], removed: [], changed: ['server'] } });

    const { events, version } = await store.readStream<ProvisioningApplied>(provisioningStream(serverId));
    expect(version).toBe(2n);
    expect(events.map((e) => [e.type, e.data.version, e.data.documentHash])).toEqual([
      ['ProvisioningApplied', 1, first.documentHash],
      ['ProvisioningApplied', 2, second.documentHash],
    ]);
    expect(events[1].data).toMatchObject({ serverId, appliedAt: '2025-04-01T09:00:00.000Z', source: 'test.yaml', appliedBy: 'admin' });
    expect(events[1].data.document.server.channelLimit).toBe(4);

    const current = await loadCurrentProvisioning(store, serverId);
    expect(current?.extensions.find((e) => e.number === '1003')).toEqual({
      number: '1003',
      kind: 'softphone',
      name: 'Tanaka',
      passwordHash: formatDigestSecret('1003', `${serverId}.pbx.test`, PASSWORDS.ext1003),
    });
    expect(await loadAppliedProvisioning(store, serverId)).toMatchObject({ serverId, version: 2, documentHash: second.documentHash });
  });

  it('the same document again stays quiet (no event): a stack restart re-applies its file harmlessly', async () => {
    const serverId = newServer();
    const first = await applyProvisioning(store, document(serverId), meta());
    const again = await applyProvisioning(store, document(serverId), meta());
    expect(again).toMatchObject({ status: 'unchanged', version: 1, documentHash: first.documentHash, diff: { added: [], removed: [], changed: [] } });
    expect(await versionOf(serverId)).toBe(1n);
  });

  it('nothing is in force before the first apply', async () => {
    await expect(loadCurrentProvisioning(store, newServer())).resolves.toBeUndefined();
  });

  it('optimistic concurrency: an apply against a version that moved fails clearly and appends nothing', async () => {
    const serverId = newServer();
    await applyProvisioning(store, document(serverId), meta());
    // Two admins reviewed version 1 and apply at once: exactly one wins.
    const a = documentWith1003(serverId);
    const b = document(serverId);
    b.server.channelLimit = 7;
    const results = await Promise.allSettled([applyProvisioning(store, a, meta({ expectedVersion: 1 })), applyProvisioning(store, b, meta({ expectedVersion: 1 }))]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')!;
    expect(failed.reason).toBeInstanceOf(ProvisioningConflictError);
    expect(failed.reason).toMatchObject({ code: 'PROVISIONING.CONCURRENT_APPLY', serverId, expectedVersion: 1n, actualVersion: 2n });
    expect(failed.reason.message).toMatch(/another apply got in first; nothing was applied/);
    expect(await versionOf(serverId)).toBe(2n);

    // A stale version given explicitly is refused before any hashing or append.
    await expect(applyProvisioning(store, document(serverId), meta({ expectedVersion: 1 }))).rejects.toMatchObject({ code: 'PROVISIONING.CONCURRENT_APPLY', actualVersion: 2n });
    expect(await versionOf(serverId)).toBe(2n);
  });

  it('a bad document is rejected whole, every error listed by path, nothing appended (SPEC B-3)', async () => {
    const serverId = newServer();
    await applyProvisioning(store, document(serverId), meta());
    const bad = documentWith1003(serverId);
    bad.server.federationPrefix = '7'; // F-2
    bad.extensions.push({ number: '999', kind: 'softphone', name: 'Short', password: 'long-enough-1' }); // N-1
    bad.extensions.push({ number: '1500', kind: 'mobile', name: 'M', mobileNumber: '09011112222', carrier: 'au' }); // M-12
    bad.extensions[0].password = 'short'; // too short
    (bad.groups as { members: string[] }[])[0].members.push('4444'); // unknown member
    (bad.dids as object[]).push({ number: '0312345678', target: '1001' }); // a DID twice
    let error: unknown;
    try {
      await applyProvisioning(store, bad, meta());
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ProvisioningRejectedError);
    const errors = (error as ProvisioningRejectedError).errors;
    const paths = errors.map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['server.federationPrefix', 'extensions[4].number', 'extensions[5].number', 'extensions[0].password', 'groups[0].members[2]']));
    expect(paths.some((p) => p.startsWith('dids[1]'))).toBe(true);
    expect(errors.map((e) => e.rule)).toEqual(expect.arrayContaining(['F-2', 'N-1', 'M-12']));
    for (const pw of [...Object.values(PASSWORDS), 'long-enough-1']) expect((error as Error).message).not.toContain(pw); // errors name paths, never secrets
    expect(await versionOf(serverId)).toBe(1n);
    expect((await loadCurrentProvisioning(store, serverId))?.extensions).toHaveLength(3);
  });

  it('refuses a document that changes server.id, and one too large for a NATS message', async () => {
    const serverId = newServer();
    await applyProvisioning(store, document(serverId), meta());
    await expect(applyProvisioning(store, document('another-server'), meta({ serverId }))).rejects.toMatchObject({ code: 'PROVISIONING.SERVER_ID_CHANGED' });
    await expect(applyProvisioning(store, documentWith1003(serverId), meta({ maxEventBytes: 2_000 }))).rejects.toBeInstanceOf(ProvisioningTooLargeError);
    expect(await versionOf(serverId)).toBe(1n);
    await expect(loadCurrentProvisioning(store, 'another-server')).resolves.toBeUndefined();
  });

  it('no clear-text password anywhere in the store, nor on NATS; the hashes are there', async () => {
    const serverId = newServer();
    const published: string[] = [];
    const sub = nc.subscribe(PROVISIONING_APPLIED_SUBJECT, { callback: (_e, m) => published.push(Buffer.from(m.data).toString('utf8')) });
    await nc.flush();
    await applyProvisioning(store, document(serverId), meta());
    await applyProvisioning(store, documentWith1003(serverId), meta());
    await eventually('both applies relayed', () => published.filter((p) => p.includes(serverId)).length >= 2);
    sub.unsubscribe();

    const rows = (await db.query<{ row: string }>(`SELECT row_to_json(m)::text AS row FROM emt_messages m UNION ALL SELECT row_to_json(s)::text FROM emt_streams s`)).rows.map((r) => r.row);
    const stored = rows.join('\n');
    expect(stored).toContain(formatDigestSecret('1003', `${serverId}.pbx.test`, PASSWORDS.ext1003).split(';')[0]); // the grep does see the documents
    expect(stored).toMatch(/scrypt\$1024\$8\$1\$/);
    const wire = published.join('\n');
    for (const pw of Object.values(PASSWORDS)) {
      expect(stored).not.toContain(pw);
      expect(wire).not.toContain(pw);
    }
    expect(stored).not.toMatch(/"password"\s*:/);
  });

  it('watch fires on apply with the new document, only for its own server', async () => {
    const serverId = newServer();
    const other = newServer();
    await applyProvisioning(store, document(serverId), meta());
    const seen: [HashedProvisioning, AppliedProvisioning][] = [];
    const elsewhere: unknown[] = [];
    const errors: Error[] = [];
    const watch = await watchProvisioning(nc, serverId, (doc, applied) => seen.push([doc, applied]), { onError: (e) => errors.push(e) });
    const watchOther = await watchProvisioning(nc, other, (doc) => elsewhere.push(doc));
    try {
      const applied = await applyProvisioning(store, documentWith1003(serverId), meta());
      // The relay may still be publishing version 1 (applied before the watch): wait for version 2.
      const [doc, info] = await eventually('the watch to fire for version 2', () => seen.find(([, a]) => a.version === 2));
      expect(info).toMatchObject({ serverId, version: 2, documentHash: applied.documentHash });
      expect(doc.extensions.map((e) => e.number)).toEqual(['1001', '1002', '2001', '1003']);
      expect(doc.server.channelLimit).toBe(4);
      // A garbled message on the subject is reported, never thrown into NATS nor taken as a document.
      nc.publish(PROVISIONING_APPLIED_SUBJECT, Buffer.from('{"not":"an event"}'));
      await eventually('the garbled message reported', () => errors.length > 0);
      expect(seen.map(([, a]) => a.version).filter((v) => v === 2)).toHaveLength(1);
      expect(elsewhere).toEqual([]);
    } finally {
      watch.close();
      watchOther.close();
    }
  });

  it('followProvisioning: starts on what the store holds, follows each apply, never goes back', async () => {
    const serverId = newServer();
    await applyProvisioning(store, document(serverId), meta());
    const changes: number[] = [];
    const follower = await followProvisioning({ store, nats: nc, serverId, onChange: (a) => changes.push(a.version) });
    try {
      expect(follower.current).toMatchObject({ version: 1 });
      await applyProvisioning(store, documentWith1003(serverId), meta());
      await eventually('the follower to take version 2', () => follower.current?.version === 2);
      expect(changes).toEqual([2]);
      await follower.resync(); // the same version again changes nothing
      expect(changes).toEqual([2]);
      expect(follower.current?.document.extensions.map((e) => e.number)).toContain('1003');
    } finally {
      follower.close();
    }
  });

  it('startLiveProvisioning: the file (hashed) without a database; with one, the stored document wins and applies are followed', async () => {
    const serverId = newServer();
    const r = validateProvisioning(document(serverId));
    if (!r.ok) throw new Error('fixture');
    const fileDocument: Provisioning = r.provisioning;
    const numbers = (d: HashedProvisioning) => d.extensions.map((e) => e.number).join(',');

    const fileOnly = await startLiveProvisioning({ fileDocument, nats: nc, project: numbers });
    expect(fileOnly).toMatchObject({ value: '1001,1002,2001', source: 'file', version: undefined });
    await fileOnly.close();

    const withStore = (onChange?: (v: string) => void, project: (d: HashedProvisioning) => string = numbers) =>
      startLiveProvisioning({ fileDocument, databaseUrl, nats: nc, project, ...(onChange ? { onChange } : {}) });
    const nothingStored = await withStore();
    expect(nothingStored).toMatchObject({ value: '1001,1002,2001', source: 'file' });
    await nothingStored.close();

    await applyProvisioning(store, documentWith1003(serverId), meta());
    const changes: string[] = [];
    const live = await withStore((v) => changes.push(v));
    const errors: string[] = [];
    const picky = await startLiveProvisioning({
      fileDocument,
      databaseUrl,
      nats: nc,
      project: (d) => {
        if (d.server.channelLimit === 9) throw new Error('cannot use this one');
        return numbers(d);
      },
      onError: (e, what) => errors.push(`${what}: ${e.message}`),
    });
    try {
      expect(live).toMatchObject({ value: '1001,1002,2001,1003', source: 'store', version: 1 });
      const next = document(serverId);
      next.server.channelLimit = 9;
      next.extensions.splice(2, 1); // the mobile 2001
      await applyProvisioning(store, next, meta());
      await eventually('the live value to follow the apply', () => live.version === 2);
      expect(live.value).toBe('1001,1002');
      expect(changes).toEqual(['1001,1002']);
      // A document the service cannot use leaves the previous one in force, and says why.
      await eventually('the refusal reported', () => errors.length > 0);
      expect(picky).toMatchObject({ value: '1001,1002,2001,1003', version: 1 });
      expect(errors[0]).toMatch(/version 2; keeping the one in force: cannot use this one/);
    } finally {
      await live.close();
      await picky.close();
    }
  });

  it('startLiveProvisioning on a database without the event store says so instead of booting on the file', async () => {
    const r = validateProvisioning(document(newServer()));
    if (!r.ok) throw new Error('fixture');
    const bare = await createTestDatabase('ps_bare');
    await expect(startLiveProvisioning({ fileDocument: r.provisioning, databaseUrl: bare, nats: nc, project: (d) => d })).rejects.toThrow(/is the event store migrated/);
  });
});
