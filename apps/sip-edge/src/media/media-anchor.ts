import { NgClient, NgDict } from './ng-client';

// Every call's media is anchored in rtpengine (ARCHITECTURE.md "media"): the B2BUA hands it each
// SDP and sends on the SDP it gets back. rtpengine identifies a call by the a-leg's Call-ID and
// each side by a tag: the a-leg's From tag for the caller, the b-leg's own tag for each callee.

/** What the side receiving the SDP speaks: plain RTP (trunks, SIPp, desk phones) or WebRTC (browsers). */
export type MediaProfile = 'rtp' | 'webrtc';

export function profileFlags(profile: MediaProfile, direction: 'offer' | 'answer'): NgDict {
  if (profile === 'webrtc') {
    return {
      'transport-protocol': 'UDP/TLS/RTP/SAVPF',
      ICE: 'force',
      SDES: ['off'],
      'rtcp-mux': ['require'],
      flags: ['generate mid', 'trickle ICE'],
      // Browsers get Opus: the G.711 side is transcoded (PLATFORM.md, verified flags)
      ...(direction === 'offer' ? { codec: { transcode: ['opus'], mask: ['PCMU', 'PCMA'] } } : {}),
      replace: ['origin', 'session-connection'],
    };
  }
  return {
    'transport-protocol': 'RTP/AVP',
    ICE: 'remove',
    'rtcp-mux': ['demux'],
    ...(direction === 'offer' ? { codec: { transcode: ['PCMU'] } } : {}),
    replace: ['origin', 'session-connection'],
  };
}

export interface OfferParams {
  callId: string;
  fromTag: string;
  sdp: string;
  /** Who receives the rewritten offer. */
  toProfile: MediaProfile;
  /** Distinguishes forks of one offer (rtpengine `via-branch`). */
  viaBranch?: string;
  label?: string;
}

export interface AnswerParams {
  callId: string;
  fromTag: string;
  toTag: string;
  sdp: string;
  /** Who receives the rewritten answer (the offerer). */
  toProfile: MediaProfile;
  viaBranch?: string;
}

export class MediaAnchor {
  constructor(private readonly ng: NgClient) {}

  async offer(p: OfferParams): Promise<string> {
    const r = await this.ng.command('offer', {
      'call-id': p.callId,
      'from-tag': p.fromTag,
      sdp: p.sdp,
      ...(p.viaBranch !== undefined ? { 'via-branch': p.viaBranch } : {}),
      ...(p.label !== undefined ? { label: p.label } : {}),
      ...profileFlags(p.toProfile, 'offer'),
    });
    return String(r.sdp);
  }

  async answer(p: AnswerParams): Promise<string> {
    const r = await this.ng.command('answer', {
      'call-id': p.callId,
      'from-tag': p.fromTag,
      'to-tag': p.toTag,
      sdp: p.sdp,
      ...(p.viaBranch !== undefined ? { 'via-branch': p.viaBranch } : {}),
      ...profileFlags(p.toProfile, 'answer'),
    });
    return String(r.sdp);
  }

  /** Ends the call's media (all sides). Never throws: the call is over either way. */
  async delete(callId: string): Promise<boolean> {
    try {
      await this.ng.command('delete', { 'call-id': callId, flags: ['fatal'] });
      return true;
    } catch {
      return false;
    }
  }

  ping(): Promise<boolean> {
    return this.ng.ping();
  }
}
