import type { Carrier, EndpointKind } from '@pbx/provisioning';

// The vocabulary of the dialplan decider (SPEC §1–§2). Routes are a discriminated union on
// `kind`, so a new service adds a case and the compiler lists every switch to update.

/** Who is dialing. The decider looks up the rest (kind, carrier) in the provisioning. */
export type CallerEndpoint =
  /** A phone of this server: softphone, hardphone or mobile (SPEC §0). */
  | { kind: 'extension'; extension: string }
  /** A carrier trunk delivering an inbound call; the dialed string is the DID (ダイヤルイン). */
  | { kind: 'trunk'; trunkId: string; callerNumber?: string }
  /** A federation peer (SPEC §4): its prefix and the calling extension over there. */
  | { kind: 'peer'; prefix: string; extension: string };

/** Optional facts about the moment of dialing; absent = a new call dialed by the caller. */
export interface DialContext {
  /**
   * The digits were dialed during a call (`#700`, `*`+number, `#`+number — SPEC M-5..M-9,
   * P-11, P-12): `700` parks, and a mobile's digits arrive without the `8` escape (they are
   * DTMF inside the call, not a number the carrier routes).
   */
  midCall?: boolean;
  /**
   * The number to pass through instead of the caller's own: the original external caller on
   * a blind (`#`) transfer or a forward (SPEC F-7, M-7, Q-5).
   */
  presentedCaller?: string;
}

/** Which channel pool the new leg draws from (SPEC Q-2): none for local phones. */
export type ChannelUse = 'none' | 'external' | 'mobile';

/** What each class of device sees when a call-center call rings it (SPEC D-1, D-3..D-5). */
export interface CallCenterPresentation {
  /** A softphone or hardphone agent (D-1 / DID caller). */
  phone: string;
  /** A docomo or softbank mobile agent (D-3). */
  mobile: string;
  /** An au mobile agent (D-3 + D-4). */
  auMobile: string;
  /** An agent signed in on an external number sees the center's number (D-5 / P-6). */
  external: string;
}

export interface RingTarget {
  number: string;
  endpointKind: EndpointKind;
  carrier?: Carrier;
  /** What the ringing phone displays (SPEC D-1..D-4). */
  presentation: string;
  channel: ChannelUse;
}

interface Inbound {
  /** The caller's identity for logs: extension (D-1), prefix+extension (D-2) or external number. */
  callerNumber: string;
  /** The DID the call arrived on, for calls from a trunk (undefined otherwise). */
  did?: string;
}

export interface ExtensionRoute extends RingTarget, Inbound {
  kind: 'extension';
}

export interface GroupRoute extends Inbound {
  kind: 'group';
  number: string;
  name: string;
  /** Every member with its own presentation; M-11 (free mobile channels) is applied at ring time. */
  members: RingTarget[];
}

export interface CallCenterRoute extends Inbound {
  kind: 'call-center';
  number: string;
  name: string;
  timeoutSeconds: number;
  wrapUpSeconds: number;
  presentation: CallCenterPresentation;
}

export interface IvrRoute extends Inbound {
  kind: 'ivr';
  number: string;
  name: string;
}

/** SPEC N-2: out through a carrier trunk. */
export interface ExternalRoute {
  kind: 'external';
  number: string;
  trunkId: string;
  /** 通知番号: the caller ID on the carrier leg (SPEC C-7, M-2). */
  presentedNumber: string;
  callerNumber: string;
  channel: 'external';
}

/** SPEC N-3 / M-10: answer the call ringing at `extension`. */
export interface PickupRoute {
  kind: 'pickup';
  extension: string;
}

/** SPEC N-4 / M-9: park the current call in a free slot of `firstSlot..lastSlot`. */
export interface ParkRoute {
  kind: 'park';
  firstSlot: string;
  lastSlot: string;
}

/** SPEC N-4: retrieve the call parked in `slot`. */
export interface ParkRetrieveRoute {
  kind: 'park-retrieve';
  slot: string;
}

/** SPEC N-5 / F-3: an extension (phone, group or center — F-5) of a peer server. */
export interface FederationRoute {
  kind: 'federation';
  prefix: string;
  serverId: string;
  extension: string;
  /** `<our prefix><caller extension>` (D-2 / F-4), or a passed-through external number (F-7). */
  presentation: string;
  channel: 'external';
}

export type RejectStatus = 400 | 403 | 404 | 484;

/** `AREA.REASON` codes (STYLE.md), each with one SIP status. */
export const DIALPLAN_REJECTIONS = {
  'DIALPLAN.INVALID_CHARACTERS': 400, // N-7: only 0-9 * # are dial characters
  'DIALPLAN.TOO_LONG': 400, // no dial string is longer than MAX_DIAL_LENGTH
  'DIALPLAN.INCOMPLETE': 484, // N-7: a proper beginning of a valid number
  'DIALPLAN.UNKNOWN_NUMBER': 404, // N-7: complete and well formed, but nobody has it
  'DIALPLAN.UNKNOWN_PREFIX': 404, // N-5: no linked server has that prefix
  'DIALPLAN.UNKNOWN_DID': 404, // a trunk delivered a number that is not its DID
  'DIALPLAN.NOT_PICKABLE': 404, // N-3: only phones ring, so only phones can be picked up
  'DIALPLAN.PARK_NEEDS_CALL': 404, // N-4: 700 parks the current call; without one it means nothing
  'DIALPLAN.PARK_DISABLED': 404, // N-4: parkSlots is 0
  'DIALPLAN.NO_TRUNK': 404, // N-2: no trunk to leave through
  'DIALPLAN.MOBILE_ESCAPE_MISSING': 404, // N-6: a mobile's call through the PBX starts with 8
  'DIALPLAN.AU_BARRED': 403, // M-13: an au mobile cannot call the 1000 range
  'DIALPLAN.UNKNOWN_CALLER': 403, // the calling extension, trunk or peer is not provisioned
  'DIALPLAN.CALLER_NOT_ALLOWED': 403, // trunks and peers reach extensions only (no transit)
} as const satisfies Record<string, RejectStatus>;

export type DialplanRejectCode = keyof typeof DIALPLAN_REJECTIONS;

/** SPEC N-7: the call is refused with a SIP status; never a throw. */
export interface Rejected {
  kind: 'rejected';
  status: RejectStatus;
  code: DialplanRejectCode;
  reason: string;
}

export type RouteDecision =
  | ExtensionRoute
  | GroupRoute
  | CallCenterRoute
  | IvrRoute
  | ExternalRoute
  | PickupRoute
  | ParkRoute
  | ParkRetrieveRoute
  | FederationRoute
  | Rejected;

export type RouteKind = RouteDecision['kind'];

/** Presented for a caller that withholds its number (非通知). */
export const ANONYMOUS = 'anonymous';
/** SPEC D-4: what an au mobile sees instead of a 1000-range or ≥ 12-digit number. */
export const AU_MASKED_NUMBER = '99999999';
/** Longest dial string looked at; anything longer is 400 without further parsing. */
export const MAX_DIAL_LENGTH = 32;
