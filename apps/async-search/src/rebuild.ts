// Rebuilds async-search's jobs read model from the event store (docs/async-search.md "Read model"):
// node dist/apps/async-search/src/rebuild.js (or through tools/run-ts.cjs). Env: DATABASE_URL.
import { z } from 'zod';
import { loadConfig } from '@pbx/service-kit';
import { rebuildJobsReadModel } from './jobs/job.projection';

async function main(): Promise<void> {
  const { DATABASE_URL } = loadConfig('async-search', z.object({ DATABASE_URL: z.string().url() }));
  const { restarted } = await rebuildJobsReadModel(DATABASE_URL);
  process.stdout.write(
    `async-search: jobs read model emptied and its checkpoint rewound; ${restarted ? `${restarted} running projection(s) replaying now` : 'the next instance to start replays it'}\n`,
  );
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`async-search rebuild failed: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
