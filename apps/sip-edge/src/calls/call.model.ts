import type { DialogState, Peer, ServerTransaction, ClientTransaction, SipRequest } from '@pbx/sip';
import type { MediaProfile } from '../media/media-anchor';

// What the B2BUA keeps of one call: the caller's leg (a-leg, the INVITE we answer) and one
// b-leg per phone or trunk it rings. Plain data; b2bua.ts is what changes it.

export interface ALeg {
  legId: string;
  invite: SipRequest;
  tx: ServerTransaction;
  peer: Peer;
  localTag: string;
  fromTag: string;
  profile: MediaProfile;
  dialog: DialogState | undefined;
  sentRinging: boolean;
  sentEarlyMedia: boolean;
  holdsChannel: boolean;
}

export type BLegState = 'calling' | 'ringing' | 'early' | 'answered' | 'failed' | 'cancelling';

export interface BLeg {
  legId: string;
  number: string;
  peer: Peer;
  profile: MediaProfile;
  callId: string;
  localTag: string;
  invite: SipRequest;
  tx: ClientTransaction | undefined;
  state: BLegState;
  dialog: DialogState | undefined;
  ack: SipRequest | undefined;
  finalStatus: number | undefined;
  holdsChannel: boolean;
  ended: boolean;
}

export type CallPhase = 'routing' | 'ringing' | 'answered' | 'ending' | 'ended';

export interface Call {
  requestId: string;
  phase: CallPhase;
  a: ALeg;
  bLegs: BLeg[];
  winner: BLeg | undefined;
  ringTimer: NodeJS.Timeout | undefined;
  maxTimer: NodeJS.Timeout | undefined;
  /** A re-INVITE relayed between the legs is in progress (glare → 491). */
  reinvite: boolean;
  /** The caller's INVITE had no SDP (RFC 3261 §13.2.1 late offer): the callee's 2xx carries the offer, the caller's ACK the answer. */
  lateOffer: boolean;
  startedAt: number;
}

export interface DialogRef {
  call: Call;
  side: 'a' | BLeg;
}

/** Key of a dialog we own: its Call-ID and our tag (the To tag of requests the far end sends in it). */
export function dialogKey(callId: string, localTag: string): string {
  return `${callId}\n${localTag}`;
}

/** rtpengine knows the call by the a-leg's Call-ID. */
export function rtpCallId(call: Call): string {
  return call.a.invite.callId();
}
