import { callLogRow, callLogStartedAt, CallLogState, evolveCallLog, initialCallLogState, LEG_EVENT_TYPES, LEG_STREAM_CATEGORY, LegEvent, parseLegEvent } from '@pbx/domain-call-leg';
import type { CallLogRow } from '@pbx/domain-call-leg';
import { CHANNEL_POOL_EVENT_TYPES } from '@pbx/domain-channel';
import type { ConsumedEvent } from '@pbx/event-store';
import { applyChannelUsageChanges, ChannelUsageChange, CallLogStateWrite, loadCallLogStates, saveCallLogStates, SqlRunner, upsertCallLogRows } from '@pbx/read-models';
import { channelUsageChange } from './channel-usage.mapping';

// One consumer, one checkpoint, three tables (call_log, call_log_state, channel_usage): a batch
// of the log becomes their rows in the consumer's transaction, so the checkpoint and the rows
// commit together (SPEC H-3). docs/history.md.

/** The consumer's name: its checkpoint row and its advisory lock. */
export const HISTORY_CONSUMER = 'history-projector';

/** The events this projector reads; the checkpoint moves past every other event. */
export const HISTORY_EVENT_TYPES: readonly string[] = [...LEG_EVENT_TYPES, ...CHANNEL_POOL_EVENT_TYPES];

const POOL_STREAM_PREFIX = 'channel-pool-';

/** An event the projector could not read (unknown shape): skipped, logged and counted, never retried forever. */
export interface RejectedEvent {
  readonly streamName: string;
  readonly globalPosition: string;
  readonly type: string;
  readonly error: string;
}

export interface BatchStats {
  legEvents: number;
  poolEvents: number;
  rejected: number;
  calls: number;
  rows: number;
}

/**
 * Projects one batch (in log order) through `tx`. Leg events are grouped by call: each call's
 * fold state is loaded once, the events folded in (`evolveCallLog`: idempotent and order-free),
 * and the state and row written back once — set-based, a few statements per batch whatever its size.
 */
export async function projectHistoryBatch(events: readonly ConsumedEvent[], tx: SqlRunner, onRejected: (r: RejectedEvent) => void = () => undefined): Promise<BatchStats> {
  const stats: BatchStats = { legEvents: 0, poolEvents: 0, rejected: 0, calls: 0, rows: 0 };
  const byCall = new Map<string, LegEvent[]>();
  const usage: ChannelUsageChange[] = [];
  const reject = (e: ConsumedEvent, error: string) => {
    stats.rejected += 1;
    onRejected({ streamName: e.streamName, globalPosition: e.globalPosition.toString(), type: e.type, error });
  };

  for (const e of events) {
    if (e.streamName.startsWith(`${LEG_STREAM_CATEGORY}-`)) {
      const parsed = parseLegEvent(e.type, e.data);
      if (!parsed.ok) {
        reject(e, parsed.error);
        continue;
      }
      stats.legEvents += 1;
      const list = byCall.get(parsed.event.data.callId);
      if (list) list.push(parsed.event);
      else byCall.set(parsed.event.data.callId, [parsed.event]);
    } else if (e.streamName.startsWith(POOL_STREAM_PREFIX)) {
      const outcome = channelUsageChange(e.streamName, e.type, e.data);
      if (!outcome.ok) {
        reject(e, outcome.error);
        continue;
      }
      stats.poolEvents += 1;
      if (outcome.change !== null) usage.push(outcome.change);
    }
    // Events of these types in other streams are not ours (a type name reused elsewhere): skipped.
  }

  if (byCall.size > 0) {
    const stored = await loadCallLogStates(tx, [...byCall.keys()]);
    const states: CallLogStateWrite[] = [];
    const rows: CallLogRow[] = [];
    for (const [callId, legEvents] of byCall) {
      const before: CallLogState = stored.get(callId) ?? initialCallLogState();
      const after = legEvents.reduce(evolveCallLog, before);
      if (after === before) continue;
      const startedAt = callLogStartedAt(after);
      if (startedAt === null) continue;
      states.push({ callId, state: after, startedAt });
      const row = callLogRow(after);
      if (row !== null) rows.push(row);
    }
    stats.calls = states.length;
    stats.rows = rows.length;
    await Promise.all([saveCallLogStates(tx, states), upsertCallLogRows(tx, rows)]);
  }
  if (usage.length > 0) await applyChannelUsageChanges(tx, usage);
  return stats;
}
