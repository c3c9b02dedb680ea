import { createRequest, Peer, TransactionLayer } from '@pbx/sip';
import { Trunk } from '@pbx/provisioning';
import { contactFor, LocalAddress, viaFor } from '../calls/local-address';
import { newCallId, newTag } from '../calls/sip-ids';

// OPTIONS keep-alive towards every carrier trunk (RFC 3261 §11): any final answer means the
// trunk is up (a 404 or 405 still proves it is there), a transaction timeout (Timer F) means down.

export type TrunkState = 'unknown' | 'up' | 'down';

export interface TrunkStatus {
  id: string;
  state: TrunkState;
  since: number;
  lastStatus?: number;
}

export class TrunkMonitor {
  private readonly status = new Map<string, TrunkStatus>();
  private timer: NodeJS.Timeout | undefined;
  private seq = 0;

  constructor(
    private readonly deps: {
      layer: TransactionLayer;
      local: LocalAddress;
      domain: () => string;
      trunks: () => Trunk[];
      onChange?(status: TrunkStatus, previous: TrunkState): void;
    },
  ) {}

  start(everyMs: number): void {
    if (everyMs <= 0) return;
    this.probeAll();
    this.timer = setInterval(() => this.probeAll(), everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
  }

  states(): TrunkStatus[] {
    return this.deps.trunks().map((t) => this.status.get(t.id) ?? { id: t.id, state: 'unknown', since: 0 });
  }

  probeAll(): void {
    for (const t of this.deps.trunks()) this.probe(t);
  }

  private probe(t: Trunk): void {
    const peer: Peer = { protocol: t.transport, address: t.host, port: t.port };
    const via = viaFor(this.deps.local, peer.protocol);
    const options = createRequest({
      method: 'OPTIONS',
      uri: `sip:${t.host}:${t.port}${t.transport === 'tcp' ? ';transport=tcp' : ''}`,
      headers: [
        ['Via', via.value],
        ['Max-Forwards', '70'],
        ['From', `<sip:keepalive@${this.deps.domain()}>;tag=${newTag()}`],
        ['To', `<sip:${t.host}:${t.port}>`],
        ['Call-ID', newCallId(this.deps.local.host)],
        ['CSeq', `${++this.seq} OPTIONS`],
        ['Contact', contactFor(this.deps.local, peer.protocol)],
        ['Accept', 'application/sdp'],
      ],
    });
    try {
      this.deps.layer.sendRequest(options, peer, {
        onResponse: (res) => {
          if (res.status >= 200) this.set(t.id, 'up', res.status);
        },
        onTimeout: () => this.set(t.id, 'down'),
        onTransportError: () => this.set(t.id, 'down'),
      });
    } catch {
      this.set(t.id, 'down');
    }
  }

  private set(id: string, state: TrunkState, lastStatus?: number): void {
    const prev = this.status.get(id);
    if (prev?.state === state) {
      if (lastStatus !== undefined) prev.lastStatus = lastStatus;
      return;
    }
    const next: TrunkStatus = { id, state, since: Date.now(), ...(lastStatus !== undefined ? { lastStatus } : {}) };
    this.status.set(id, next);
    this.deps.onChange?.(next, prev?.state ?? 'unknown');
  }
}
