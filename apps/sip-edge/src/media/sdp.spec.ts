import { audioDirection, isHoldOffer, isWebRtcSdp } from './sdp';

const sdp = (...lines: string[]): string => ['v=0', 'o=- 1 1 IN IP4 10.0.0.1', 's=-', 'c=IN IP4 10.0.0.1', 't=0 0', ...lines].join('\r\n') + '\r\n';

describe('sdp helpers (RFC 3264 §8.4 hold)', () => {
  it.each([
    [sdp('m=audio 4000 RTP/AVP 0'), 'sendrecv', false],
    [sdp('m=audio 4000 RTP/AVP 0', 'a=sendonly'), 'sendonly', true],
    [sdp('a=inactive', 'm=audio 4000 RTP/AVP 0'), 'inactive', true],
    [sdp('a=sendonly', 'm=audio 4000 RTP/AVP 0', 'a=sendrecv'), 'sendrecv', false],
    [sdp('m=audio 4000 RTP/AVP 0', 'a=recvonly'), 'recvonly', false],
    [sdp('m=video 5000 RTP/AVP 96', 'a=inactive', 'm=audio 4000 RTP/AVP 0'), 'sendrecv', false],
  ])('reads the audio direction of %j', (body, dir, hold) => {
    expect(audioDirection(body)).toBe(dir);
    expect(isHoldOffer(body)).toBe(hold);
  });

  it('treats c=0.0.0.0 as hold', () => {
    expect(isHoldOffer(sdp('m=audio 4000 RTP/AVP 0').replace('c=IN IP4 10.0.0.1', 'c=IN IP4 0.0.0.0'))).toBe(true);
  });

  it('recognises WebRTC bodies', () => {
    expect(isWebRtcSdp(sdp('m=audio 9 UDP/TLS/RTP/SAVPF 111'))).toBe(true);
    expect(isWebRtcSdp(sdp('m=audio 4000 RTP/AVP 0'))).toBe(false);
  });
});
