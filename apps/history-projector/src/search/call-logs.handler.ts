import { Inject, Injectable } from '@nestjs/common';
import { CallLogSearch, CallLogSearchReply, HISTORY_ERRORS, SYNC_SEARCH_LIMIT, tooManyMatchesMessage } from '@pbx/contracts';
import { searchCallLogs } from '@pbx/read-models';
import { PG_POOL } from '@pbx/service-kit';
import { Pool } from 'pg';

/** A typed error reply (service-kit maps `code` to the wire). */
export class SearchTooManyError extends Error {
  readonly code = HISTORY_ERRORS.tooMany;
  readonly details: Readonly<Record<string, unknown>>;
  constructor(limit: number) {
    super(tooManyMatchesMessage(limit));
    this.name = 'SearchTooManyError';
    this.details = { limit, asyncSearch: { target: 'call-logs' } };
  }
}

/**
 * qry.v1.history-projector.call-logs (発着信履歴検索): at most SYNC_SEARCH_LIMIT matches, else
 * SEARCH.TOO_MANY naming the limit and offering async search (SPEC S-1). The scope (SPEC A-1)
 * comes from the gateway, which authorized the caller.
 */
@Injectable()
export class CallLogsHandler {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async execute(search: CallLogSearch): Promise<CallLogSearchReply> {
    const outcome = await searchCallLogs(this.pool, search, SYNC_SEARCH_LIMIT);
    if (outcome.kind === 'too-many') throw new SearchTooManyError(outcome.limit);
    return { items: outcome.items, total: outcome.total };
  }
}
