import { accountPasswordNeedsRehash, verifyAccountPassword } from '@pbx/service-kit';
import { canonicalJson, HashedProvisioning, Provisioning, validateProvisioning } from '@pbx/provisioning';
import { formatDigestSecret, parseDigestSecret } from '@pbx/sip';
import { document, PASSWORDS, TEST_COST } from '../test/documents';
import { documentHash, hashedProvisioningSchema, hashProvisioningSecrets } from './index';

function valid(raw: unknown): Provisioning {
  const r = validateProvisioning(raw);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.provisioning;
}

const phone = (h: HashedProvisioning, n: string) => {
  const e = h.extensions.find((x) => x.number === n);
  if (!e || e.kind === 'mobile') throw new Error(`no phone ${n}`);
  return e;
};
const account = (h: HashedProvisioning, login: string) => h.accounts.find((a) => a.login === login)!;

describe('hashProvisioningSecrets (issue #4: passwords hashed at load)', () => {
  const p = valid(document('tokyo-1'));
  let hashed: HashedProvisioning;
  beforeAll(async () => {
    hashed = await hashProvisioningSecrets(p, { accountCost: TEST_COST });
  });

  it('extensions get the digest secret of (number, server.domain, password): HA1 for MD5 and SHA-256', () => {
    expect(phone(hashed, '1001').passwordHash).toBe(formatDigestSecret('1001', 'tokyo-1.pbx.test', PASSWORDS.ext1001));
    expect(parseDigestSecret(phone(hashed, '1002').passwordHash)).toEqual({ md5: expect.stringMatching(/^[0-9a-f]{32}$/), sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(hashed.extensions.find((e) => e.number === '2001')).toEqual(p.extensions[2]); // a mobile has no SIP secret
  });

  it('accounts get a scrypt hash that verifies the password, and only it', async () => {
    const h = account(hashed, 'admin').passwordHash;
    expect(h).toMatch(/^scrypt\$1024\$8\$1\$/);
    await expect(verifyAccountPassword(PASSWORDS.admin, h)).resolves.toBe(true);
    await expect(verifyAccountPassword(PASSWORDS.agent1, h)).resolves.toBe(false);
  });

  it('leaves no clear text and no password field, and does not touch its input', () => {
    const text = JSON.stringify(hashed);
    for (const pw of Object.values(PASSWORDS)) expect(text).not.toContain(pw);
    expect(text).not.toMatch(/"password"/);
    expect((p.extensions[0] as { password?: string }).password).toBe(PASSWORDS.ext1001);
  });

  it('keeps an account hash that still matches the previous document, so an unchanged document hashes the same', async () => {
    const again = await hashProvisioningSecrets(p, { previous: hashed, accountCost: TEST_COST });
    expect(again).toEqual(hashed);
    expect(documentHash(again)).toBe(documentHash(hashed));
  });

  it('hashes again when a password changed, or when the stored hash is weaker than the cost asked for', async () => {
    const raw = document('tokyo-1');
    raw.accounts[0].password = 'a-new-admin-password';
    const changed = await hashProvisioningSecrets(valid(raw), { previous: hashed, accountCost: TEST_COST });
    expect(account(changed, 'admin').passwordHash).not.toBe(account(hashed, 'admin').passwordHash);
    await expect(verifyAccountPassword('a-new-admin-password', account(changed, 'admin').passwordHash)).resolves.toBe(true);
    expect(account(changed, 'agent1').passwordHash).toBe(account(hashed, 'agent1').passwordHash);

    const stronger = { ...TEST_COST, N: 2 ** 11 };
    const rehashed = await hashProvisioningSecrets(p, { previous: hashed, accountCost: stronger });
    expect(accountPasswordNeedsRehash(account(rehashed, 'admin').passwordHash, stronger)).toBe(false);
    expect(account(rehashed, 'admin').passwordHash).not.toBe(account(hashed, 'admin').passwordHash);
  });

  it('a hashed document passes the stored-document schema, a clear-text one does not', () => {
    expect(hashedProvisioningSchema.parse(JSON.parse(JSON.stringify(hashed)))).toEqual(hashed);
    const r = hashedProvisioningSchema.safeParse(p);
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toMatch(/passwordHash/);
  });

  it('documentHash ignores key order and sees any change', () => {
    const reordered = JSON.parse(canonicalJson(hashed)) as HashedProvisioning; // every key sorted, as jsonb might return them
    expect(Object.keys(reordered.server)).not.toEqual(Object.keys(hashed.server));
    expect(documentHash(reordered)).toBe(documentHash(hashed));
    expect(documentHash({ ...hashed, server: { ...hashed.server, channelLimit: 11 } })).not.toBe(documentHash(hashed));
    expect(documentHash(hashed)).toMatch(/^[0-9a-f]{64}$/);
  });
});
