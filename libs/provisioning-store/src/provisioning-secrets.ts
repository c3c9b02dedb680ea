import { accountPasswordNeedsRehash, DEFAULT_SCRYPT_COST, hashAccountPassword, ScryptCost, verifyAccountPassword } from '@pbx/service-kit';
import { HashedProvisioning, hashSecretsAsync, Provisioning, SecretToHash } from '@pbx/provisioning';
import { formatDigestSecret } from '@pbx/sip';

export interface HashSecretsOptions {
  /**
   * The document in force. An account whose password still verifies against its stored hash
   * keeps that hash (scrypt salts are random, so hashing again would make every account look
   * changed in the diff and every re-apply look like a new document).
   */
  readonly previous?: HashedProvisioning;
  /** scrypt cost of new account hashes (default DEFAULT_SCRYPT_COST). */
  readonly accountCost?: ScryptCost;
}

/**
 * The one place a provisioning's passwords are hashed (issue #4: "hashed at load; plain text
 * never reaches the database or logs"). Nothing here logs, and the clear text is not kept:
 *
 *  - extensions (SIP digest, RFC 3261 §22.4): `formatDigestSecret(number, server.domain,
 *    password)` — HA1 for MD5 and SHA-256 (RFC 8760), what sip-edge verifies challenges with;
 *  - accounts (admin portal, SPEC §11): scrypt, `hashAccountPassword` of service-kit, what
 *    api-gateway verifies logins with.
 */
export async function hashProvisioningSecrets(p: Provisioning, options: HashSecretsOptions = {}): Promise<HashedProvisioning> {
  const cost = options.accountCost ?? DEFAULT_SCRYPT_COST;
  const before = new Map((options.previous?.accounts ?? []).map((a) => [a.login, a.passwordHash]));
  const hasher = async (s: SecretToHash): Promise<string> => {
    if (s.kind === 'extension') return formatDigestSecret(s.username, s.realm, s.password);
    const stored = before.get(s.login);
    if (stored !== undefined && !accountPasswordNeedsRehash(stored, cost) && (await verifyAccountPassword(s.password, stored))) return stored;
    return hashAccountPassword(s.password, cost);
  };
  return hashSecretsAsync(p, hasher);
}
