// The relay as its own process, for bench/event-store-relay-lag.bench.ts (a service runs it so).
// Env: DATABASE_URL, NATS_URL, STREAM_NAME. Prints RUNNING once it holds its lock; stops on SIGTERM.
import { startRelay } from '@pbx/event-store';

async function main(): Promise<void> {
  const relay = await startRelay({ connectionString: process.env.DATABASE_URL!, nats: process.env.NATS_URL!, name: process.env.STREAM_NAME ?? 'EVENTS' });
  const ready = setInterval(() => {
    if (relay.state !== 'running') return;
    process.stdout.write('RUNNING\n');
    clearInterval(ready);
  }, 5);
  // Once a second: polls, batches and events of the last second (to stderr, shown by the bench).
  let last = { ...relay.stats };
  setInterval(() => {
    const now = { ...relay.stats };
    process.stderr.write(`relay: ${now.polls - last.polls} polls, ${now.batches - last.batches} batches, ${now.events - last.events} events/s\n`);
    last = now;
  }, 1000).unref();
  process.on('SIGTERM', () => void relay.stop().then(() => process.exit(0)));
}

void main();
