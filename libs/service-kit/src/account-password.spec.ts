import { accountPasswordNeedsRehash, AccountPasswordHashError, DEFAULT_SCRYPT_COST, hashAccountPassword, verifyAccountPassword } from './account-password';

// A low cost keeps the suite fast; the format carries the cost, so verify reads it back.
const cheap = { N: 2 ** 10, r: 8, p: 1 };

describe('account password hashing (scrypt)', () => {
  it('writes the self-describing format scrypt$N$r$p$salt$hash', async () => {
    const h = await hashAccountPassword('admin-pass-1', cheap, Buffer.alloc(16, 7));
    const parts = h.split('$');
    expect(parts.slice(0, 4)).toEqual(['scrypt', '1024', '8', '1']);
    expect(Buffer.from(parts[4], 'base64')).toEqual(Buffer.alloc(16, 7));
    expect(Buffer.from(parts[5], 'base64')).toHaveLength(32);
    expect(h).not.toContain('admin-pass-1');
  });

  it('is deterministic for a given salt and different for a fresh one', async () => {
    const salt = Buffer.alloc(16, 1);
    expect(await hashAccountPassword('pw-12345678', cheap, salt)).toBe(await hashAccountPassword('pw-12345678', cheap, salt));
    expect(await hashAccountPassword('pw-12345678', cheap)).not.toBe(await hashAccountPassword('pw-12345678', cheap));
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const h = await hashAccountPassword('sv1-pass-1', cheap);
    await expect(verifyAccountPassword('sv1-pass-1', h)).resolves.toBe(true);
    await expect(verifyAccountPassword('sv1-pass-2', h)).resolves.toBe(false);
    await expect(verifyAccountPassword('', h)).resolves.toBe(false);
    await expect(verifyAccountPassword('SV1-PASS-1', h)).resolves.toBe(false);
  });

  it('treats canonically equal Unicode spellings as the same password (NFC)', async () => {
    const h = await hashAccountPassword('パスワード\u30CF\u309A', cheap); // ハ + combining ゜
    await expect(verifyAccountPassword('パスワード\u30D1', h)).resolves.toBe(true); // precomposed パ
  });

  it('answers false, never throws, for stored values it did not write', async () => {
    const good = await hashAccountPassword('x-12345678', cheap);
    const [, n, r, p, salt, key] = good.split('$');
    const bad = [
      '',
      'x-12345678', // clear text is never compared
      `bcrypt$${n}$${r}$${p}$${salt}$${key}`,
      `scrypt$${n}$${r}$${p}$${salt}`,
      `scrypt$1000$${r}$${p}$${salt}$${key}`, // N not a power of two
      `scrypt$${2 ** 30}$${r}$${p}$${salt}$${key}`, // N beyond the bound: would take minutes
      `scrypt$${n}$999$${p}$${salt}$${key}`,
      `scrypt$${n}$${r}$0$${salt}$${key}`,
      `scrypt$${n}$${r}$${p}$not*base64$${key}`,
      `scrypt$${n}$${r}$${p}$${salt}$AAAA`, // key too short
      `scrypt$0x10$${r}$${p}$${salt}$${key}`,
    ];
    for (const stored of bad) await expect(verifyAccountPassword('x-12345678', stored)).resolves.toBe(false);
  });

  it('refuses to hash with a cost outside the bounds', async () => {
    await expect(hashAccountPassword('x', { N: 1000, r: 8, p: 1 })).rejects.toThrow(AccountPasswordHashError);
    await expect(hashAccountPassword('x', { N: 1024, r: 0, p: 1 })).rejects.toThrow(AccountPasswordHashError);
    await expect(hashAccountPassword('x', cheap, Buffer.alloc(2))).rejects.toThrow(/salt/);
  });

  it('tells when a hash was made with a lower cost than the current one', async () => {
    expect(accountPasswordNeedsRehash(await hashAccountPassword('x', cheap))).toBe(true);
    expect(accountPasswordNeedsRehash(await hashAccountPassword('x', cheap), cheap)).toBe(false);
    expect(accountPasswordNeedsRehash('garbage')).toBe(true);
  });

  it('uses the interactive-login default cost (2^15, 8, 1) and still verifies it', async () => {
    const h = await hashAccountPassword('default-cost');
    expect(h.startsWith(`scrypt$${DEFAULT_SCRYPT_COST.N}$8$1$`)).toBe(true);
    await expect(verifyAccountPassword('default-cost', h)).resolves.toBe(true);
  });
});
