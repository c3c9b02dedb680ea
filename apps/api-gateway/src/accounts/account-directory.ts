import { createHash, randomBytes } from 'node:crypto';
import type { CallLogScope } from '@pbx/contracts';
import { hashSecretsAsync, Provisioning, Role, SecretToHash } from '@pbx/provisioning';
import { hashAccountPassword, ScryptCost } from '@pbx/service-kit';
import { accessScope } from './access-scope';

/** An admin-portal account as the gateway holds it: no clear-text password, its scope computed once. */
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
 * The accounts of the provisioning file (SPEC §11). Passwords are hashed as the file is
 * loaded (libs/provisioning hashSecretsAsync); the clear text is dropped with the parsed file.
 */
export class AccountDirectory {
  private constructor(
    private readonly accounts: ReadonlyMap<string, GatewayAccount>,
    /** Verified against when the login is unknown, so both failures take the same time (no enumeration by timing). */
    readonly decoyHash: string,
  ) {}

  static async fromProvisioning(provisioning: Provisioning, cost?: ScryptCost): Promise<AccountDirectory> {
    const hashed = await hashSecretsAsync(provisioning, gatewaySecretHasher(cost));
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
    const decoy = await hashAccountPassword(randomBytes(24).toString('base64'), cost);
    return new AccountDirectory(accounts, decoy);
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
