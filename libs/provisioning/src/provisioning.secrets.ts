import { Account, Extension, PhoneExtension, Provisioning } from './provisioning.schema';

// Passwords leave the file as soon as it is loaded: the caller injects the hash function, so
// this library stays free of crypto and I/O and every output can be asserted in tests.

/**
 * What to hash. A SIP digest secret is bound to its username and realm (RFC 3261 §22.4,
 * RFC 2617 §3.2.2.2: HA1 = H(username ":" realm ":" password)), so the hasher gets both; an
 * account password gets its login (e.g. as a salt label for scrypt/argon2).
 */
export type SecretToHash =
  | { kind: 'extension'; username: string; realm: string; password: string }
  | { kind: 'account'; login: string; password: string };

export type SecretHasher = (secret: SecretToHash) => string;
export type AsyncSecretHasher = (secret: SecretToHash) => Promise<string>;

export type HashedPhoneExtension = Omit<PhoneExtension, 'password'> & { passwordHash: string };
export type HashedExtension = Exclude<Extension, PhoneExtension> | HashedPhoneExtension;
export type HashedAccount = Omit<Account, 'password'> & { passwordHash: string };
/** A provisioning with no clear-text password left in it. */
export type HashedProvisioning = Omit<Provisioning, 'extensions' | 'accounts'> & {
  extensions: HashedExtension[];
  accounts: HashedAccount[];
};

/** Replaces every password by `hasher(…)`; returns a new object, the input is untouched. */
export function hashSecrets(provisioning: Provisioning, hasher: SecretHasher): HashedProvisioning {
  const realm = provisioning.server.domain;
  return {
    ...provisioning,
    extensions: provisioning.extensions.map((e) => (e.kind === 'mobile' ? e : hashPhone(e, hasher({ kind: 'extension', username: e.number, realm, password: e.password })))),
    accounts: provisioning.accounts.map((a) => hashAccount(a, hasher({ kind: 'account', login: a.login, password: a.password }))),
  };
}

/** The same with an asynchronous hasher (scrypt, argon2); hashes run concurrently. */
export async function hashSecretsAsync(provisioning: Provisioning, hasher: AsyncSecretHasher): Promise<HashedProvisioning> {
  const realm = provisioning.server.domain;
  const [extensions, accounts] = await Promise.all([
    Promise.all(
      provisioning.extensions.map(async (e): Promise<HashedExtension> =>
        e.kind === 'mobile' ? e : hashPhone(e, await hasher({ kind: 'extension', username: e.number, realm, password: e.password })),
      ),
    ),
    Promise.all(provisioning.accounts.map(async (a) => hashAccount(a, await hasher({ kind: 'account', login: a.login, password: a.password })))),
  ]);
  return { ...provisioning, extensions, accounts };
}

function hashPhone(e: PhoneExtension, passwordHash: string): HashedPhoneExtension {
  const { password: _password, ...rest } = e;
  return { ...rest, passwordHash };
}

function hashAccount(a: Account, passwordHash: string): HashedAccount {
  const { password: _password, ...rest } = a;
  return { ...rest, passwordHash };
}
