import { hashAccountPassword, verifyAccountPassword } from '@pbx/service-kit';
import { decoyAccountHash, isReadableAccountHash } from './decoy-hash';

const cheap = { N: 2 ** 10, r: 8, p: 1 };
const fields = (h: string) => {
  const [scheme, N, r, p, salt, key] = h.split('$');
  return { scheme, N, r, p, saltBytes: Buffer.from(salt, 'base64').length, keyBytes: Buffer.from(key, 'base64').length };
};

// docs/api.md "Login and tokens": an unknown login costs what a wrong password costs.
describe('decoy hash of unknown logins', () => {
  it('costs what the accounts’ hashes cost (their N, r, p, salt and key sizes), whoever made them', async () => {
    const stored = [await hashAccountPassword('a-1', { N: 2 ** 11, r: 8, p: 1 }), await hashAccountPassword('b-1', { N: 2 ** 11, r: 8, p: 1 })];
    expect(fields(decoyAccountHash(stored, cheap))).toEqual({ scheme: 'scrypt', N: '2048', r: '8', p: '1', saltBytes: 16, keyBytes: 32 });
  });

  it('follows the most common cost when the accounts mix costs', async () => {
    const stored = [await hashAccountPassword('a-1', { N: 2 ** 11, r: 8, p: 1 }), await hashAccountPassword('b-1', { N: 2 ** 12, r: 8, p: 1 }), await hashAccountPassword('c-1', { N: 2 ** 12, r: 8, p: 1 })];
    expect(fields(decoyAccountHash(stored, cheap)).N).toBe('4096');
  });

  it('takes the fallback cost when no account hash is readable (no accounts, or foreign strings)', () => {
    expect(fields(decoyAccountHash([], cheap))).toMatchObject({ N: '1024', r: '8', p: '1' });
    expect(fields(decoyAccountHash(['not-a-hash', 'scrypt$3$8$1$AAAAAAAAAAA=$AAAAAAAAAAAAAAAAAAAAAA=='], cheap))).toMatchObject({ N: '1024' });
  });

  it('is a hash service-kit verifies (it runs scrypt), that no password matches, and new each time', async () => {
    const stored = [await hashAccountPassword('', cheap)];
    const decoy = decoyAccountHash(stored, cheap);
    expect(isReadableAccountHash(decoy)).toBe(true);
    await expect(verifyAccountPassword('', decoy)).resolves.toBe(false);
    expect(decoyAccountHash(stored, cheap)).not.toBe(decoy);
  });

  it('tells a readable scrypt hash from anything else', async () => {
    expect(isReadableAccountHash(await hashAccountPassword('x', cheap))).toBe(true);
    for (const bad of ['', 'x', 'digest-ha1:md5=abc', 'scrypt$1024$8$1$c2FsdA==', 'scrypt$1000$8$1$AAAAAAAAAAA=$AAAAAAAAAAAAAAAAAAAAAA==', `scrypt$${2 ** 21}$8$1$AAAAAAAAAAA=$AAAAAAAAAAAAAAAAAAAAAA==`]) {
      expect({ bad, readable: isReadableAccountHash(bad) }).toEqual({ bad, readable: false });
    }
  });
});
