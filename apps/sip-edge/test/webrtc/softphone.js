// Runs in headless Chromium (served by the test). Query: ws, user, password, domain.
import { Web } from '/sipjs/index.js';

const q = new URLSearchParams(location.search);
const state = { registered: false, calls: 0, answered: 0, ended: 0, error: null };
window.softphone = state;

const user = new Web.SimpleUser(q.get('ws'), {
  aor: `sip:${q.get('user')}@${q.get('domain')}`,
  media: { constraints: { audio: true, video: false }, remote: { audio: document.getElementById('remote') } },
  userAgentOptions: { authorizationUsername: q.get('user'), authorizationPassword: q.get('password'), logLevel: 'warn' },
  delegate: {
    onCallReceived: async () => {
      state.calls++;
      try {
        await user.answer();
        state.answered++;
      } catch (e) {
        state.error = String(e);
      }
    },
    onCallHangup: () => state.ended++,
  },
});

/** RTP counters and codec of the current call, from the peer connection's statistics. */
state.stats = async () => {
  const pc = user.session?.sessionDescriptionHandler?.peerConnection;
  if (!pc) return null;
  const report = await pc.getStats();
  const out = { packetsSent: 0, packetsReceived: 0, codecs: [], dtls: null };
  report.forEach((s) => {
    if (s.type === 'outbound-rtp' && s.kind === 'audio') out.packetsSent += s.packetsSent;
    if (s.type === 'inbound-rtp' && s.kind === 'audio') out.packetsReceived += s.packetsReceived;
    if (s.type === 'codec') out.codecs.push(s.mimeType);
    if (s.type === 'transport') out.dtls = s.dtlsState;
  });
  return out;
};

(async () => {
  try {
    await user.connect();
    await user.register();
    state.registered = true;
  } catch (e) {
    state.error = String(e);
  }
})();
