import { randomBytes, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { DynamicModule, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { Pool } from 'pg';
import type { Logger } from 'pino';
import { createEventStore, EventStore } from '@pbx/event-store';
import { FileStore, LocalFileStore } from '@pbx/file-store';
import { LOGGER, Metrics, PG_POOL } from '@pbx/service-kit';
import { Config } from './config';
import { CreateHandler } from './create/create.handler';
import { CreateNatsController } from './create/create.nats.controller';
import { DeleteHandler } from './delete/delete.handler';
import { DeleteNatsController } from './delete/delete.nats.controller';
import { defaultExportTargets, ExportTargets } from './export/export-target';
import { ExportRunner } from './export/export.runner';
import { ExportMetrics } from './export/export.metrics';
import { GetHandler } from './get/get.handler';
import { GetNatsController } from './get/get.nats.controller';
import { JobDispatch } from './jobs/job.dispatch';
import { JobsProjection } from './jobs/job.projection';
import { JobReadModel } from './jobs/job.read-model';
import { JobRepository } from './jobs/job.repository';
import { migrateAsyncSearch } from './jobs/job.schema';
import { ListHandler } from './list/list.handler';
import { ListNatsController } from './list/list.nats.controller';
import { JobNotifier } from './mail/job.notifier';
import { MailTransport, smtpTransport } from './mail/mailer';
import { RetryHandler } from './retry/retry.handler';
import { RetryNatsController } from './retry/retry.nats.controller';
import { JobSweeper } from './sweep/job.sweeper';
import { Clock, CLOCK, CONFIG, EVENT_STORE, EXPORT_TARGETS, FILE_STORE, MAIL_TRANSPORT, NEW_ID } from './tokens';
import { RunNatsController } from './worker/run.nats.controller';
import { EXPORT_RUNNER, SearchWorker, WORKER_ID } from './worker/search.worker';

const EXPORT_POOL = Symbol('EXPORT_POOL');

/** Closes what this module opened, after the workers have let their runs go. */
@Injectable()
class Resources implements OnApplicationShutdown {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(EXPORT_POOL) private readonly exportPool: Pool,
    @Inject(MAIL_TRANSPORT) private readonly mail: MailTransport,
  ) {}
  async onApplicationShutdown(): Promise<void> {
    this.mail.close();
    await this.exportPool.end().catch(() => undefined);
    await this.store.close().catch(() => undefined);
  }
}

export interface AsyncSearchOptions {
  clock?: Clock;
  newId?: () => string;
  workerId?: string;
  targets?: ExportTargets;
  files?: FileStore;
  mail?: MailTransport;
}

/**
 * Asynchronous history searches (非同期履歴検索, SPEC §10): jobs that stream matching rows into
 * CSV files and mail a notice when done. docs/async-search.md.
 */
@Module({})
export class AsyncSearchModule {
  static register(config: Config, o: AsyncSearchOptions = {}): DynamicModule {
    return {
      module: AsyncSearchModule,
      controllers: [CreateNatsController, ListNatsController, GetNatsController, DeleteNatsController, RetryNatsController, RunNatsController],
      providers: [
        { provide: CONFIG, useValue: config },
        { provide: CLOCK, useValue: o.clock ?? Date.now },
        { provide: NEW_ID, useValue: o.newId ?? randomUUID },
        { provide: WORKER_ID, useValue: o.workerId ?? `${hostname()}-${process.pid}-${randomBytes(2).toString('hex')}` },
        {
          provide: EVENT_STORE,
          useFactory: async () => {
            if (config.MIGRATE_ON_BOOT) await migrateAsyncSearch(config.DATABASE_URL);
            return createEventStore({ connectionString: config.DATABASE_URL, poolSize: 4 });
          },
        },
        { provide: EXPORT_POOL, useFactory: () => new Pool({ connectionString: config.DATABASE_URL, max: Math.max(1, config.WORKER_CONCURRENCY), application_name: 'pbx-async-search-export' }) },
        { provide: FILE_STORE, useValue: o.files ?? new LocalFileStore(resolve(config.ASYNC_SEARCH_FILES_DIR)) },
        { provide: EXPORT_TARGETS, useValue: o.targets ?? defaultExportTargets() },
        { provide: MAIL_TRANSPORT, useFactory: () => o.mail ?? smtpTransport(config) },
        { provide: JobReadModel, useFactory: (pool: Pool) => new JobReadModel(pool), inject: [PG_POOL] },
        { provide: JobRepository, useFactory: (store: EventStore, pool: Pool, rm: JobReadModel) => new JobRepository(store, pool, rm), inject: [EVENT_STORE, PG_POOL, JobReadModel] },
        JobDispatch,
        JobNotifier,
        {
          provide: EXPORT_RUNNER,
          useFactory: (jobs: JobRepository, files: FileStore, targets: ExportTargets, exportPool: Pool, notifier: JobNotifier, clock: Clock, log: Logger, metrics: Metrics) =>
            new ExportRunner({ jobs, files, targets, exportPool, notifier, config, clock, log: log.child({ component: 'export' }), metrics: new ExportMetrics(metrics.registry) }),
          inject: [JobRepository, FILE_STORE, EXPORT_TARGETS, EXPORT_POOL, JobNotifier, CLOCK, LOGGER, Metrics],
        },
        SearchWorker,
        JobSweeper,
        JobsProjection,
        Resources,
        CreateHandler,
        ListHandler,
        GetHandler,
        DeleteHandler,
        RetryHandler,
      ],
    };
  }
}
