// `tools/stack rebuild-projections` runs this (node dist/apps/history-projector/src/rebuild.js):
// empties the history read models and their checkpoint, replays the event store into them, and
// prints its progress. Env: DATABASE_URL (required), PROJECTOR_BATCH_SIZE, and the retention as the
// service takes it: PROVISIONING_FILE (its server's historyRetentionDays in force), else
// HISTORY_RETENTION_DAYS.
import { z } from 'zod';
import { loadConfig } from '@pbx/service-kit';
import { rebuildHistory } from './projection/rebuild';
import { readRetentionDays } from './retention/retention-days';

const schema = z.object({
  DATABASE_URL: z.string().url(),
  PROVISIONING_FILE: z.string().min(1).optional(),
  HISTORY_RETENTION_DAYS: z.coerce.number().int().min(1).max(36_500).optional(),
  PROJECTOR_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(1_000),
});

const say = (line: string) => process.stdout.write(`rebuild-projections: ${line}\n`);

async function main(): Promise<number> {
  const env = loadConfig('history-projector', schema);
  const retention = await readRetentionDays({ provisioningFile: env.PROVISIONING_FILE, databaseUrl: env.DATABASE_URL, envDays: env.HISTORY_RETENTION_DAYS });
  say(`history retention ${retention.days} days (${retention.source})`);
  say(`emptying ${'call_log, call_log_state, channel_usage'} and replaying the event store`);
  const result = await rebuildHistory({
    connectionString: env.DATABASE_URL,
    batchSize: env.PROJECTOR_BATCH_SIZE,
    retentionDays: retention.days,
    progress: (p) => {
      const pct = p.total === 0 ? 100 : Math.floor((p.handled / p.total) * 100);
      const rate = p.elapsedMs > 0 ? Math.round((p.handled / p.elapsedMs) * 1000) : 0;
      say(`${p.handled.toLocaleString('en-US')} / ${p.total.toLocaleString('en-US')} events (${pct}%), ${rate.toLocaleString('en-US')} events/s${p.done ? ', caught up' : ''}`);
    },
    onRejected: (r) => say(`skipped unreadable event ${r.type} at ${r.streamName} (global ${r.globalPosition}): ${r.error}`),
  });
  say(
    `done in ${(result.elapsedMs / 1000).toFixed(1)} s: ${result.events.toLocaleString('en-US')} events, ${result.callLogRows.toLocaleString('en-US')} call-log rows, ` +
      `${result.channelUsageRows} live channel legs, ${result.purged} rows past retention purged`,
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`rebuild-projections failed: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
