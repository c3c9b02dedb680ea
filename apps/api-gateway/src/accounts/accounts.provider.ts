import { Inject, Injectable, OnModuleDestroy, Provider } from '@nestjs/common';
import type { Logger } from 'pino';
import { Gauge } from 'prom-client';
import { startLiveProvisioning } from '@pbx/provisioning-store';
import { LOGGER, Metrics, NatsBus, readProvisioningFile } from '@pbx/service-kit';
import { Config } from '../config';
import { ACCOUNTS, CurrentAccounts } from '../tokens';
import { AccountDirectory } from './account-directory';

const ACCOUNTS_IN_FORCE = Symbol('ACCOUNTS_IN_FORCE');

interface AccountsInForce {
  current(): AccountDirectory;
  close(): Promise<void>;
}

/** Stops following the provisioning before the kit closes the NATS connection. */
@Injectable()
class AccountsCloser implements OnModuleDestroy {
  constructor(@Inject(ACCOUNTS_IN_FORCE) private readonly accounts: AccountsInForce) {}
  onModuleDestroy(): Promise<void> {
    return this.accounts.close();
  }
}

/**
 * The accounts, roles and grants in force (SPEC §11, issue #4), read again by every request:
 *
 * - with DATABASE_URL: the document the store holds for PROVISIONING_FILE's server (the file
 *   only while nothing is stored), then every apply (`tools/stack provision FILE`) without a
 *   restart (startLiveProvisioning, docs/provisioning.md). Stored accounts carry scrypt hashes
 *   made at apply time; they are verified as they are.
 * - without: the file, read and hashed once at boot at PASSWORD_SCRYPT_LOG2N, for good.
 *
 * A bad file stops the boot either way (SPEC B-3); it names the server even when the store wins.
 */
export function accountsProviders(config: Config): Provider[] {
  const cost = { N: 2 ** config.PASSWORD_SCRYPT_LOG2N, r: 8, p: 1 };
  return [
    {
      provide: ACCOUNTS_IN_FORCE,
      inject: [NatsBus, LOGGER, Metrics],
      useFactory: async (bus: NatsBus, logger: Logger, metrics: Metrics): Promise<AccountsInForce> => {
        const log = logger.child({ component: 'accounts' });
        const version = new Gauge({ name: 'pbx_api_provisioning_version', help: 'Stored provisioning version whose accounts the gateway uses (0: PROVISIONING_FILE, nothing stored or no DATABASE_URL)', registers: [metrics.registry] });
        const warnUnreadable = (d: AccountDirectory) => {
          if (d.unreadableHashes.length > 0) log.warn({ logins: d.unreadableHashes }, 'accounts whose password hash is not a scrypt hash the gateway can verify: they cannot log in');
        };
        const fileDocument = readProvisioningFile(config.PROVISIONING_FILE);

        if (config.DATABASE_URL === undefined) {
          const accounts = await AccountDirectory.fromProvisioning(fileDocument, cost);
          version.set(0);
          warnUnreadable(accounts);
          log.info({ accounts: accounts.size, source: 'file', file: config.PROVISIONING_FILE }, 'accounts loaded (no DATABASE_URL: the file, until restart)');
          return { current: () => accounts, close: async () => undefined };
        }

        const live = await startLiveProvisioning({
          fileDocument,
          databaseUrl: config.DATABASE_URL,
          nats: bus.connection,
          project: (document) => AccountDirectory.fromHashed(document, cost),
          onChange: (accounts, applied) => {
            version.set(applied.version);
            warnUnreadable(accounts);
            log.info({ serverId: applied.serverId, version: applied.version, documentHash: applied.documentHash, accounts: accounts.size }, 'provisioning applied: accounts, roles and grants of the new document');
          },
          onError: (err, what) => log.error({ err }, what),
        });
        version.set(live.version ?? 0);
        warnUnreadable(live.value);
        log.info({ accounts: live.value.size, source: live.source, version: live.version, documentHash: live.documentHash }, 'accounts loaded');
        return { current: () => live.value, close: () => live.close() };
      },
    },
    { provide: ACCOUNTS, inject: [ACCOUNTS_IN_FORCE], useFactory: (a: AccountsInForce): CurrentAccounts => () => a.current() },
    AccountsCloser,
  ];
}
