// What sip-edge needs to know about an SDP body (RFC 4566, RFC 3264 §8.4 hold): nothing is
// rewritten here (rtpengine does that), only read.

export type MediaDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

const DIRECTIONS = new Set<MediaDirection>(['sendrecv', 'sendonly', 'recvonly', 'inactive']);

/** The direction of the first audio stream (a media-level attribute wins over the session level). */
export function audioDirection(sdp: string): MediaDirection {
  let session: MediaDirection | undefined;
  let media: MediaDirection | undefined;
  let inAudio = false;
  let seenMedia = false;
  for (const raw of sdp.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('m=')) {
      if (seenMedia && inAudio) break;
      seenMedia = true;
      inAudio = line.startsWith('m=audio');
      continue;
    }
    if (line.startsWith('a=')) {
      const attr = line.slice(2) as MediaDirection;
      if (!DIRECTIONS.has(attr)) continue;
      if (!seenMedia) session = attr;
      else if (inAudio) media = attr;
    }
  }
  return media ?? session ?? 'sendrecv';
}

/** RFC 3264 §8.4 (and the older RFC 2543 style c=0.0.0.0): the sender puts the other side on hold. */
export function isHoldOffer(sdp: string): boolean {
  const dir = audioDirection(sdp);
  if (dir === 'sendonly' || dir === 'inactive') return true;
  return /^c=IN IP4 0\.0\.0\.0\s*$/m.test(sdp);
}

/** A WebRTC offer or answer: DTLS-SRTP with ICE (RFC 8827, RFC 8829). */
export function isWebRtcSdp(sdp: string): boolean {
  return /^m=audio \d+ UDP\/TLS\/RTP\/SAVPF?/m.test(sdp) || /^a=fingerprint:/m.test(sdp);
}
