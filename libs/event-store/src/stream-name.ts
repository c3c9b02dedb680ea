/**
 * Stream names are `<category>-<id>` (ARCHITECTURE.md "Events"): `leg-7f3a…`, `call-…`.
 * Ids may contain `-` (UUIDs do), so the category is the part before the FIRST `-`, except
 * for the compound categories listed in {@link COMPOUND_CATEGORIES} (`callback-request-<id>`
 * is category `callback-request`, not `callback`). The category and the event type become
 * NATS subject tokens (`evt.v1.<category>.<type>`), so both are restricted to characters that
 * are safe in a token: no `.`, `*`, `>` or whitespace.
 */
const TOKEN = /^[A-Za-z0-9_]+$/;

/** Categories of more than one word (ARCHITECTURE.md names the first two). Add new ones here. */
export const COMPOUND_CATEGORIES: readonly string[] = ['callback-request', 'search-job', 'channel-pool'];

export class InvalidStreamNameError extends Error {
  readonly code = 'EVENT_STORE.INVALID_STREAM_NAME';
  constructor(readonly streamName: string, reason: string) {
    super(`invalid stream name "${streamName}": ${reason}`);
    this.name = 'InvalidStreamNameError';
  }
}

export class InvalidEventTypeError extends Error {
  readonly code = 'EVENT_STORE.INVALID_EVENT_TYPE';
  constructor(readonly eventType: string) {
    super(`invalid event type "${eventType}": use letters, digits and _ only (it becomes a NATS subject token)`);
    this.name = 'InvalidEventTypeError';
  }
}

export interface ParsedStreamName {
  readonly category: string;
  readonly id: string;
}

/** Splits `<category>-<id>` at the first `-`; throws {@link InvalidStreamNameError}. */
export function parseStreamName(streamName: string): ParsedStreamName {
  const compound = COMPOUND_CATEGORIES.find((c) => streamName.startsWith(`${c}-`));
  if (compound) {
    const id = streamName.slice(compound.length + 1);
    if (id.length === 0) throw new InvalidStreamNameError(streamName, 'empty id');
    if (/\s/.test(id)) throw new InvalidStreamNameError(streamName, 'the id contains whitespace');
    return { category: compound, id };
  }
  const dash = streamName.indexOf('-');
  if (dash <= 0) throw new InvalidStreamNameError(streamName, 'expected <category>-<id>');
  const category = streamName.slice(0, dash);
  const id = streamName.slice(dash + 1);
  if (!TOKEN.test(category)) throw new InvalidStreamNameError(streamName, `category "${category}" must be letters, digits or _`);
  if (id.length === 0) throw new InvalidStreamNameError(streamName, 'empty id');
  if (/\s/.test(id)) throw new InvalidStreamNameError(streamName, 'the id contains whitespace');
  return { category, id };
}

/** The category of a stream: a compound category it starts with, else the part before the first `-`. */
export function categoryOf(streamName: string): string {
  return parseStreamName(streamName).category;
}

/** Builds `<category>-<id>`, validating both parts. */
export function streamName(category: string, id: string): string {
  const name = `${category}-${id}`;
  const parsed = parseStreamName(name);
  if (parsed.category !== category) throw new InvalidStreamNameError(name, `category "${category}" must not contain "-"`);
  return name;
}

export function assertEventType(type: string): void {
  if (!TOKEN.test(type)) throw new InvalidEventTypeError(type);
}

/** Default subject prefix of relayed events (STYLE.md "Names": `evt.v1.<category>.<type>`). */
export const EVENT_SUBJECT_PREFIX = 'evt.v1';

/** `evt.v1.<category>.<type>` for an event of `streamName`. */
export function eventSubject(streamName: string, eventType: string, prefix: string = EVENT_SUBJECT_PREFIX): string {
  assertEventType(eventType);
  return `${prefix}.${categoryOf(streamName)}.${eventType}`;
}
