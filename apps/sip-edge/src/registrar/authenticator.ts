import { createChallenges, createNonceIssuer, DigestAlgorithm, NonceCountTracker, NonceIssuer, Peer, SipRequest, verifyDigest } from '@pbx/sip';
import { Trunk } from '@pbx/provisioning';
import { EdgeDirectory } from '../provisioning/edge-directory';

// Who is talking to us: a carrier trunk (by source address, no digest) or a registered phone
// (digest, RFC 3261 §22 with RFC 8760's SHA-256; username = extension number, realm = the
// server's domain). REGISTER is challenged with 401, other requests with 407 (§22.3).

export type CallerIdentity = { kind: 'trunk'; trunk: Trunk } | { kind: 'extension'; number: string };

export type Identification =
  | { ok: true; identity: CallerIdentity }
  | { ok: false; status: 401 | 407 | 403; reason: string; headers: Record<string, string | string[]> };

export class Authenticator {
  private readonly issuer: NonceIssuer;
  private readonly nonceCounts = new NonceCountTracker(100_000);

  constructor(
    private readonly directory: () => EdgeDirectory,
    private readonly options: { nonceSecret: string; nonceTtlMs: number; algorithms: readonly DigestAlgorithm[] },
  ) {
    this.issuer = createNonceIssuer({ secret: options.nonceSecret, ttlMs: options.nonceTtlMs });
  }

  identify(request: SipRequest, peer: Peer): Identification {
    const dir = this.directory();
    if (peer.protocol === 'udp' || peer.protocol === 'tcp') {
      const trunk = dir.trunkAt(peer.address, peer.port);
      if (trunk !== undefined && trunk.transport === peer.protocol) {
        if (request.method === 'REGISTER') return { ok: false, status: 403, reason: 'Forbidden - trunks do not register', headers: {} };
        return { ok: true, identity: { kind: 'trunk', trunk } };
      }
    }
    const register = request.method === 'REGISTER';
    const status = register ? 401 : 407;
    const challengeHeader = register ? 'WWW-Authenticate' : 'Proxy-Authenticate';
    const verdict = verifyDigest(request, {
      header: register ? 'authorization' : 'proxy-authorization',
      realm: dir.domain,
      issuer: this.issuer,
      nonceCounts: this.nonceCounts,
      lookupHa1: (u, a) => dir.ha1(u, a),
      algorithms: this.options.algorithms,
    });
    if (!verdict.ok) {
      const stale = verdict.reason === 'stale';
      const reason = verdict.reason === 'missing' || stale ? (register ? 'Unauthorized' : 'Proxy Authentication Required') : `${register ? 'Unauthorized' : 'Proxy Authentication Required'} - ${verdict.reason}`;
      // one challenge row per algorithm, in the configured order (docs/sip-edge.md "Digest")
      const challenges = this.options.algorithms.flatMap((a) => createChallenges(this.issuer, dir.domain, { stale, algorithms: [a] }));
      return { ok: false, status, reason, headers: { [challengeHeader]: challenges } };
    }
    // The authenticated user must be the one the request speaks for (no registering or calling as someone else)
    const claimed = register ? request.to().uri : request.from().uri;
    const claimedUser = claimed.kind === 'sip' ? claimed.user : undefined;
    if (claimedUser !== verdict.username) {
      return { ok: false, status: 403, reason: `Forbidden - authenticated as ${verdict.username}, not ${claimedUser ?? 'that user'}`, headers: {} };
    }
    return { ok: true, identity: { kind: 'extension', number: verdict.username } };
  }
}
