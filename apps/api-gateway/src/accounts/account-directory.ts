import { createHash } from 'node:crypto';
import type { CallLogScope } from '@pbx/contracts';
import { HashedProvisioning, hashSecretsAsync, Provisioning, Role, SecretToHash } from '@pbx/provisioning';
import { DEFAULT_SCRYPT_COST, hashAccountPassword, ScryptCost } from '@pbx/service-kit';
import { accessScope } from './access-scope';
import { decoyAccountHash, isReadableAccountHash } from './decoy-hash';

/** An admin-portal account as the gateway holds it: no clear-text password, its scope computed once per document. */
export interface GatewayAccount {
  login: string;
  role: Role;
  email?: string;
  grants: { callCenters: string[]; numbers: string[] };
  passwordHash: string;
  /** undefined = everything (system admin), SPEC A-1. */
  scope: CallLogScope | undefined;
}

/**
 * The accounts of one provisioning document (SPEC §11), with their roles, grants and scopes.
 * Immutable: a newly applied document is a new directory (docs/api.md "Accounts follow the
 * provisioning"), so a request sees one document or the other, never a mix.
 */
export class AccountDirectory {
  private constructor(
    private readonly accounts: ReadonlyMap<string, GatewayAccount>,
    /** Verified against when the login is unknown, so both failures take the same time (no enumeration by timing). */
    readonly decoyHash: string,
    /** Logins whose stored hash is not a scrypt hash the gateway can verify: they cannot log in (fail closed). */
    readonly unreadableHashes: readonly string[],
  ) {}

  /**
   * From a document whose passwords are already hashed (the stored provisioning, or the file
   * hashed by `fromProvisioning`): the hashes are used as they are, never hashed again. Pure and
   * synchronous, so it can be the `project` of startLiveProvisioning.
   */
  static fromHashed(hashed: HashedProvisioning, fallbackCost: ScryptCost = DEFAULT_SCRYPT_COST): AccountDirectory {
    const accounts = new Map<string, GatewayAccount>();
    for (const a of hashed.accounts) {
      accounts.set(a.login, {
        login: a.login,
        role: a.role,
        ...(a.email ? { email: a.email } : {}),
        grants: { callCenters: a.grants?.callCenters ?? [], numbers: a.grants?.numbers ?? [] },
        passwordHash: a.passwordHash,
        scope: accessScope(a, hashed),
      });
    }
    const hashes = hashed.accounts.map((a) => a.passwordHash);
    const unreadable = hashed.accounts.filter((a) => !isReadableAccountHash(a.passwordHash)).map((a) => a.login);
    return new AccountDirectory(accounts, decoyAccountHash(hashes, fallbackCost), unreadable);
  }

  /** From the provisioning file (no DATABASE_URL): passwords hashed here at `cost`; the clear text is dropped with the parsed file. */
  static async fromProvisioning(provisioning: Provisioning, cost?: ScryptCost): Promise<AccountDirectory> {
    return AccountDirectory.fromHashed(await hashSecretsAsync(provisioning, gatewaySecretHasher(cost)), cost);
  }

  find(login: string): GatewayAccount | undefined {
    return this.accounts.get(login);
  }

  get size(): number {
    return this.accounts.size;
  }
}

/**
 * The hasher handed to hashSecretsAsync: scrypt for account passwords (the gateway verifies
 * them); SIP digest secrets, which the gateway never uses, become their RFC 2617 HA1 at once.
 */
export function gatewaySecretHasher(cost?: ScryptCost): (s: SecretToHash) => Promise<string> {
  return async (s) => {
    if (s.kind === 'account') return hashAccountPassword(s.password, cost);
    return createHash('md5').update(`${s.username}:${s.realm}:${s.password}`).digest('hex');
  };
}
