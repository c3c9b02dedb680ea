import { Readable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import {
  ASYNC_SEARCH_CREATE,
  ASYNC_SEARCH_DELETE,
  ASYNC_SEARCH_ERRORS,
  ASYNC_SEARCH_GET,
  ASYNC_SEARCH_LIST,
  ASYNC_SEARCH_RETRY,
  AsyncSearchJobView,
  CreateAsyncSearchReply,
  createAsyncSearchReplySchema,
  CreateAsyncSearchRequest,
  DeleteAsyncSearchReply,
  deleteAsyncSearchReplySchema,
  getAsyncSearchReplySchema,
  listAsyncSearchesReplySchema,
  RetryAsyncSearchReply,
  retryAsyncSearchReplySchema,
} from '@pbx/contracts';
import { FILE_STORE_ERRORS, FileStore, isFileStoreError } from '@pbx/file-store';
import { NatsBus } from '@pbx/service-kit';
import { z } from 'zod';
import { Principal } from '../auth/principal';
import { API_ERRORS, ApiError } from '../http/api-error';
import { API_PREFIX } from '../http/api-controller';
import { FILE_STORE, GATEWAY_SETTINGS, GatewaySettings } from '../tokens';
import { AsyncSearchView, createAsyncSearchBodySchema } from './async-searches.route';

export interface CsvDownload {
  stream: Readable;
  size: number;
  filename: string;
}

/** REST of 非同期履歴検索 over async-search's NATS contract; every request carries the caller's login. */
@Injectable()
export class AsyncSearchesHandler {
  constructor(
    @Inject(NatsBus) private readonly bus: NatsBus,
    @Inject(FILE_STORE) private readonly files: FileStore,
    @Inject(GATEWAY_SETTINGS) private readonly settings: GatewaySettings,
  ) {}

  private ask<S extends z.ZodTypeAny>(subject: string, payload: unknown, reply: S): Promise<z.infer<S>> {
    return this.bus.request(subject, payload, reply, { timeoutMs: this.settings.downstreamTimeoutMs });
  }

  create(body: z.output<typeof createAsyncSearchBodySchema>, who: Principal): Promise<CreateAsyncSearchReply> {
    const request: CreateAsyncSearchRequest = {
      ...body,
      account: { login: who.login, ...(who.email ? { email: who.email } : {}) },
      ...(who.scope ? { scope: who.scope } : {}), // SPEC A-1: the export sees what the search would
    };
    return this.ask(ASYNC_SEARCH_CREATE, request, createAsyncSearchReplySchema);
  }

  async list(who: Principal): Promise<{ items: AsyncSearchView[] }> {
    const { items } = await this.ask(ASYNC_SEARCH_LIST, { login: who.login }, listAsyncSearchesReplySchema);
    return { items: items.map(view) };
  }

  async get(id: string, who: Principal): Promise<AsyncSearchView> {
    return view(await this.ask(ASYNC_SEARCH_GET, { login: who.login, id }, getAsyncSearchReplySchema));
  }

  delete(id: string, who: Principal): Promise<DeleteAsyncSearchReply> {
    return this.ask(ASYNC_SEARCH_DELETE, { login: who.login, id }, deleteAsyncSearchReplySchema);
  }

  retry(id: string, who: Principal): Promise<RetryAsyncSearchReply> {
    return this.ask(ASYNC_SEARCH_RETRY, { login: who.login, id }, retryAsyncSearchReplySchema);
  }

  /** The result CSV, only when the job is done (409 otherwise); streamed from the file store, never buffered (SPEC S-3). */
  async download(id: string, who: Principal): Promise<CsvDownload> {
    const job = await this.ask(ASYNC_SEARCH_GET, { login: who.login, id }, getAsyncSearchReplySchema);
    if (job.status !== 'done' || !job.resultKey) {
      throw new ApiError(409, API_ERRORS.resultNotReady, `the async search is ${job.status}: its result can be downloaded once it is done`, { status: job.status });
    }
    try {
      const stat = await this.files.stat(job.resultKey);
      if (!stat) throw gone();
      const stream = await this.files.openReadStream(job.resultKey);
      return { stream, size: stat.size, filename: csvFilename(job) };
    } catch (e) {
      if (isFileStoreError(e, FILE_STORE_ERRORS.notFound)) throw gone();
      throw e;
    }
  }
}

const gone = () => new ApiError(404, ASYNC_SEARCH_ERRORS.notFound, 'the result file of this async search is no longer there');

function view(job: AsyncSearchJobView): AsyncSearchView {
  const { resultKey: _key, ...rest } = job;
  return job.status === 'done' ? { ...rest, downloadUrl: `/${API_PREFIX}/async-searches/${encodeURIComponent(job.id)}/download` } : rest;
}

/** `call-logs_20260121-093000_<id>.csv`: target, registration time (UTC), id; only filename-safe characters. */
export function csvFilename(job: Pick<AsyncSearchJobView, 'id' | 'target' | 'createdAt'>): string {
  const at = job.createdAt.replace(/\.\d+/, '').replace(/[-:]/g, '').replace('T', '-').replace('Z', '');
  return `${job.target}_${at}_${job.id}.csv`.replace(/[^A-Za-z0-9._-]/g, '_');
}
