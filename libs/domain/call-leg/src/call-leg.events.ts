import { z } from 'zod';

// The events of one call leg (SPEC H-1), stream `leg-<legId>`. The zod schemas are the one
// source of truth for each event's `data`: the types are inferred from them, the decider checks
// every event it emits against them, and readers (history-projector, …) validate on read.
// The store keeps `schemaVersion` in the metadata (ARCHITECTURE.md "Events"); a future shape
// gets a V2 schema and an upcaster from V1, never an edit of a V1 schema.

/** Version of every `data` shape in this file. */
export const LEG_EVENT_SCHEMA_VERSION = 1;

/** Stream category of call legs: `leg-<legId>` (ARCHITECTURE.md "Events"). */
export const LEG_STREAM_CATEGORY = 'leg';
export const legStreamName = (legId: string): string => `${LEG_STREAM_CATEGORY}-${legId}`;

export const LEG_DIRECTIONS = ['inbound', 'outbound'] as const;
/** Seen from this server: inbound = the far end called us; outbound = we called the far end. */
export type LegDirection = (typeof LEG_DIRECTIONS)[number];

export const LEG_SIDES = ['a-leg', 'b-leg'] as const;
/** a-leg: the leg that started the call (the originating leg); b-leg: every leg the PBX adds to it. */
export type LegSide = (typeof LEG_SIDES)[number];

export const FAR_END_KINDS = ['extension', 'trunk', 'peer', 'external', 'mobile'] as const;
/**
 * What is at the other end of the leg: a phone of this server (`extension`, `mobile` — SPEC §0),
 * a carrier trunk delivering a call to one of our DIDs (`trunk`), a federation peer (`peer`,
 * SPEC §4), or an external number we dialed through a trunk (`external`).
 */
export type FarEndKind = (typeof FAR_END_KINDS)[number];

export const END_CAUSES = ['normal', 'busy', 'no-answer', 'cancelled', 'rejected', 'failed', 'over-channel-limit', 'drain'] as const;
/**
 * Why a leg ended. `normal`: BYE after answer; `cancelled`: CANCEL before answer (or the PBX
 * cancelled a losing group member); `over-channel-limit`: 同時通話数 reached (SPEC Q-5);
 * `drain`: the instance was shutting down (graceful drain on SIGTERM).
 */
export type EndCause = (typeof END_CAUSES)[number];

export const HUNG_UP_BY = ['caller', 'callee', 'system'] as const;
export type HungUpBy = (typeof HUNG_UP_BY)[number];

const id = z.string().min(1).max(128);
/** A number as logged: digits, `+`, `*`, `#`, or `anonymous` (非通知). */
const partyNumber = z.string().min(1).max(64);
/** ISO-8601 instant with an offset (`2025-04-01T09:00:00.000Z`). */
export const instantSchema = z.string().datetime({ offset: true });

export const farEndSchema = z.object({
  kind: z.enum(FAR_END_KINDS),
  /** The extension, the external number, or `<peer prefix><extension>` for a peer. */
  number: partyNumber,
  /** The carrier trunk, for `trunk` and `external` far ends. */
  trunkId: id.optional(),
  /** The DID (ダイヤルイン番号) a trunk delivered the call on. */
  did: partyNumber.optional(),
});
export type FarEnd = z.infer<typeof farEndSchema>;

/** Every leg event names its leg and call, so each is readable alone (the projector routes by callId). */
const legRef = { legId: id, callId: id, at: instantSchema };

export const legCreatedDataSchema = z.object({
  ...legRef,
  /** The call's request id (the correlation id of everything the call causes). */
  requestId: id,
  direction: z.enum(LEG_DIRECTIONS),
  side: z.enum(LEG_SIDES),
  farEnd: farEndSchema,
  /** The caller as presented on this leg (SPEC §2, F-4, F-6–F-8 are applied before this point). */
  presentedCaller: partyNumber,
  /** The number called on this leg. */
  callee: partyNumber,
});
export const legRingingDataSchema = z.object(legRef);
export const legEarlyMediaStartedDataSchema = z.object(legRef);
export const legAnsweredDataSchema = z.object(legRef);
export const legHeldDataSchema = z.object(legRef);
export const legResumedDataSchema = z.object(legRef);
export const legBridgedDataSchema = z.object({ ...legRef, otherLegId: id });
export const legEndedDataSchema = z.object({
  ...legRef,
  cause: z.enum(END_CAUSES),
  /** The final SIP status (486, 480, 487, 503, …); null when the leg ended with a BYE. */
  sipStatus: z.number().int().min(100).max(699).nullable(),
  hungUpBy: z.enum(HUNG_UP_BY),
});

export type LegCreatedData = z.infer<typeof legCreatedDataSchema>;
export type LegRingingData = z.infer<typeof legRingingDataSchema>;
export type LegEarlyMediaStartedData = z.infer<typeof legEarlyMediaStartedDataSchema>;
export type LegAnsweredData = z.infer<typeof legAnsweredDataSchema>;
export type LegHeldData = z.infer<typeof legHeldDataSchema>;
export type LegResumedData = z.infer<typeof legResumedDataSchema>;
export type LegBridgedData = z.infer<typeof legBridgedDataSchema>;
export type LegEndedData = z.infer<typeof legEndedDataSchema>;

export interface LegCreated {
  readonly type: 'LegCreated';
  readonly data: LegCreatedData;
}
export interface LegRinging {
  readonly type: 'LegRinging';
  readonly data: LegRingingData;
}
export interface LegEarlyMediaStarted {
  readonly type: 'LegEarlyMediaStarted';
  readonly data: LegEarlyMediaStartedData;
}
export interface LegAnswered {
  readonly type: 'LegAnswered';
  readonly data: LegAnsweredData;
}
export interface LegHeld {
  readonly type: 'LegHeld';
  readonly data: LegHeldData;
}
export interface LegResumed {
  readonly type: 'LegResumed';
  readonly data: LegResumedData;
}
export interface LegBridged {
  readonly type: 'LegBridged';
  readonly data: LegBridgedData;
}
export interface LegEnded {
  readonly type: 'LegEnded';
  readonly data: LegEndedData;
}

export type LegEvent = LegCreated | LegRinging | LegEarlyMediaStarted | LegAnswered | LegHeld | LegResumed | LegBridged | LegEnded;
export type LegEventType = LegEvent['type'];

/** The V1 schema of each event type's `data`. */
export const LEG_EVENT_DATA_SCHEMAS = {
  LegCreated: legCreatedDataSchema,
  LegRinging: legRingingDataSchema,
  LegEarlyMediaStarted: legEarlyMediaStartedDataSchema,
  LegAnswered: legAnsweredDataSchema,
  LegHeld: legHeldDataSchema,
  LegResumed: legResumedDataSchema,
  LegBridged: legBridgedDataSchema,
  LegEnded: legEndedDataSchema,
} as const satisfies { readonly [T in LegEventType]: z.ZodType<Extract<LegEvent, { type: T }>['data']> };

export const LEG_EVENT_TYPES = Object.keys(LEG_EVENT_DATA_SCHEMAS) as readonly LegEventType[];

export function isLegEventType(type: string): type is LegEventType {
  return Object.prototype.hasOwnProperty.call(LEG_EVENT_DATA_SCHEMAS, type);
}

/**
 * Validates a stored event on read: a known type and V1 `data`. Returns the typed event, or the
 * zod error (the caller decides whether a bad event is dead-lettered or stops the consumer).
 */
export function parseLegEvent(type: string, data: unknown): { ok: true; event: LegEvent } | { ok: false; error: string } {
  if (!isLegEventType(type)) return { ok: false, error: `not a call-leg event type: ${type}` };
  const parsed = LEG_EVENT_DATA_SCHEMAS[type].safeParse(data);
  if (!parsed.success) return { ok: false, error: `${type}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(data)'} ${i.message}`).join('; ')}` };
  // The schema for `type` produced `data`, so the pair is one member of the union.
  return { ok: true, event: { type, data: parsed.data } as LegEvent };
}
