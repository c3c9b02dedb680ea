import pino, { Logger } from 'pino';

/** Any pino logger fits; services pass theirs (child loggers carry the service name). */
export type EventStoreLogger = Pick<Logger, 'info' | 'warn' | 'error'>;

let fallback: EventStoreLogger | undefined;
export function defaultLogger(): EventStoreLogger {
  fallback ??= pino({ name: 'event-store', level: process.env.LOG_LEVEL ?? 'info' });
  return fallback;
}
