import { HashedProvisioning, parseProvisioning, Provisioning } from '@pbx/provisioning';
import { hashProvisioningSecrets } from '@pbx/provisioning-store';
import { verifyAccountPassword } from '@pbx/service-kit';
import { AccountDirectory } from './account-directory';

const cheap = { N: 2 ** 10, r: 8, p: 1 };

/** A small server whose accounts are `accounts` (YAML flow sequence). */
function document(accounts: string): Provisioning {
  const r = parseProvisioning(
    [
      'server: { id: dir-test, domain: dir.pbx.test, channelLimit: 2, mobileChannelLimit: 1, defaultNotificationNumber: "0312345678" }',
      'trunks: [{ id: carrier-a, host: 127.0.0.1, dids: ["0312345678"] }]',
      'extensions: [{ number: "1001", kind: softphone, name: Sato, password: "s3cret-1001" }]',
      'callCenters: [{ number: "5001", name: Support, agents: [] }]',
      'dids: [{ number: "0312345678", target: "5001" }]',
      `accounts: ${accounts}`,
      '',
    ].join('\n'),
  );
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.provisioning;
}

describe('account directory', () => {
  it('verifies stored accounts against their hashes as they are (made at apply time, another cost than the gateway’s)', async () => {
    const stored = await hashProvisioningSecrets(document('[{ login: admin, role: system-admin, password: "admin-pass-1" }]'), { accountCost: { N: 2 ** 11, r: 8, p: 1 } });
    const d = AccountDirectory.fromHashed(stored, cheap);
    expect(d.find('admin')?.passwordHash).toBe(stored.accounts[0].passwordHash);
    await expect(verifyAccountPassword('admin-pass-1', d.find('admin')?.passwordHash ?? '')).resolves.toBe(true);
    expect(d.decoyHash.split('$')[1]).toBe('2048'); // the stored hashes' cost, not the fallback
    expect(d.unreadableHashes).toEqual([]);
  });

  it('computes role, grants and scope per document (SPEC A-1)', async () => {
    const stored = await hashProvisioningSecrets(document('[{ login: sv1, role: supervisor, password: "sv1-pass-1", grants: { callCenters: ["5001"] } }]'), { accountCost: cheap });
    expect(AccountDirectory.fromHashed(stored, cheap).find('sv1')).toMatchObject({ role: 'supervisor', grants: { callCenters: ['5001'], numbers: [] }, scope: { numbers: ['0312345678', '5001'] } });
  });

  it('names accounts whose stored hash it cannot verify; they stay unable to log in', async () => {
    const stored = await hashProvisioningSecrets(document('[{ login: ok, role: user, password: "ok-pass-1" }, { login: odd, role: user, password: "odd-pass-1" }]'), { accountCost: cheap });
    const tampered: HashedProvisioning = { ...stored, accounts: stored.accounts.map((a) => (a.login === 'odd' ? { ...a, passwordHash: 'md5:0123' } : a)) };
    const d = AccountDirectory.fromHashed(tampered, cheap);
    expect(d.unreadableHashes).toEqual(['odd']);
    await expect(verifyAccountPassword('odd-pass-1', d.find('odd')?.passwordHash ?? '')).resolves.toBe(false);
  });

  it('from the file (no DATABASE_URL): hashes at the configured cost, no clear text kept', async () => {
    const d = await AccountDirectory.fromProvisioning(document('[{ login: admin, role: system-admin, password: "admin-pass-1" }]'), cheap);
    const admin = d.find('admin');
    expect(admin?.passwordHash.split('$').slice(0, 4)).toEqual(['scrypt', '1024', '8', '1']);
    expect(JSON.stringify(admin)).not.toContain('admin-pass-1');
    await expect(verifyAccountPassword('admin-pass-1', admin?.passwordHash ?? '')).resolves.toBe(true);
  });
});
