import { HashedProvisioning, Trunk } from '@pbx/provisioning';
import { DigestAlgorithm, ha1FromSecret, parseDigestSecret } from '@pbx/sip';

// What sip-edge needs from the provisioning (SPEC §0): who may register (extensions with their
// digest secrets, as HA1s: libs/provisioning-store hashed them when the document was loaded or
// applied — no clear text reaches sip-edge), which source
// addresses are carrier trunks, and the server settings a call needs.

export interface PhoneEntry {
  number: string;
  kind: 'softphone' | 'hardphone';
  name: string;
  secret: { md5: string; sha256: string };
}

export class EdgeDirectory {
  readonly serverId: string;
  readonly domain: string;
  readonly ringTimeoutMs: number;
  readonly overLimitForward: string | null;
  readonly channelLimit: number;
  private readonly phones = new Map<string, PhoneEntry>();
  private readonly trunksByAddress = new Map<string, Trunk>();
  private readonly trunksById = new Map<string, Trunk>();

  private constructor(p: HashedProvisioning) {
    this.serverId = p.server.id;
    this.domain = p.server.domain;
    this.ringTimeoutMs = p.server.ringTimeoutSeconds * 1000;
    this.overLimitForward = p.server.overLimitForward ?? null;
    this.channelLimit = p.server.channelLimit;
    for (const e of p.extensions) {
      if (e.kind === 'mobile') continue;
      const secret = parseDigestSecret(e.passwordHash);
      if (secret === undefined) throw new Error(`extension ${e.number}: stored secret is not a digest secret`);
      this.phones.set(e.number, { number: e.number, kind: e.kind, name: e.name, secret });
    }
    for (const t of p.trunks) {
      this.trunksById.set(t.id, t);
      this.trunksByAddress.set(`${t.host}:${t.port}`, t);
    }
  }

  /** From a stored document (secrets already `digest-ha1:` HA1s): what live provisioning hands over. */
  static fromHashed(p: HashedProvisioning): EdgeDirectory {
    return new EdgeDirectory(p);
  }

  phone(number: string): PhoneEntry | undefined {
    return this.phones.get(number);
  }

  ha1(username: string, algorithm: DigestAlgorithm): string | undefined {
    const p = this.phones.get(username);
    return p === undefined ? undefined : ha1FromSecret(p.secret, algorithm);
  }

  /** A carrier trunk is recognised by its source address AND port (provisioning `trunks`: IP authentication). */
  trunkAt(address: string, port: number): Trunk | undefined {
    return this.trunksByAddress.get(`${address}:${port}`);
  }

  trunk(id: string): Trunk | undefined {
    return this.trunksById.get(id);
  }

  trunks(): Trunk[] {
    return [...this.trunksById.values()];
  }
}
