// 同時通話数 (channels) and モバイルチャネル (mobile channels) — SPEC §3.

/** The two pools a server licenses (SPEC Q-1). */
export type ChannelPoolName = 'channel' | 'mobile-channel';
export const CHANNEL_POOLS: readonly ChannelPoolName[] = ['channel', 'mobile-channel'];

/**
 * Who or what is at the far end of one leg, seen from this server. The kind alone decides the
 * pool (SPEC Q-2); the other fields say who it is, for the usage view and history.
 */
export type FarEnd =
  /** A carrier trunk: external inbound or outbound. */
  | { readonly kind: 'trunk'; readonly trunkId: string; readonly number?: string }
  /** The external number an agent signed in with (SPEC §6, P-8). */
  | { readonly kind: 'agent-external'; readonly number: string; readonly account?: string }
  /** Either leg of a callback: the agent's own number or the counterpart (SPEC §7, C-8). */
  | { readonly kind: 'callback'; readonly number: string; readonly role: 'agent' | 'counterpart' }
  /** Another server of the federation (SPEC §4, F-8). */
  | { readonly kind: 'peer'; readonly serverId: string; readonly extension?: string }
  /** A phone registered to this server (browser/desktop SIP over WebSocket). */
  | { readonly kind: 'softphone'; readonly extension: string }
  /** A SIP desk phone registered to this server. */
  | { readonly kind: 'hardphone'; readonly extension: string }
  /** A mobile extension, reached through the carrier (SPEC §5). */
  | { readonly kind: 'mobile'; readonly extension: string };

export type FarEndKind = FarEnd['kind'];

/** What one leg holds from its creation to its end. */
export type ChannelDemand = { readonly pool: ChannelPoolName; readonly count: 1 } | { readonly pool: 'none'; readonly count: 0 };

const NONE: ChannelDemand = { pool: 'none', count: 0 };
const ONE_CHANNEL: ChannelDemand = { pool: 'channel', count: 1 };
const ONE_MOBILE_CHANNEL: ChannelDemand = { pool: 'mobile-channel', count: 1 };

/**
 * SPEC Q-2: a leg whose far end is outside the server (carrier trunk, an agent's external
 * number, a callback leg, a federation peer) holds 1 channel; a leg to a local softphone or
 * hardphone holds none; a leg to a mobile holds 1 mobile channel (and no ordinary channel:
 * the mobile pool is licensed separately).
 */
export function channelDemand(farEnd: Pick<FarEnd, 'kind'>): ChannelDemand {
  const kind = farEnd.kind;
  switch (kind) {
    case 'trunk':
    case 'agent-external':
    case 'callback':
    case 'peer':
      return ONE_CHANNEL;
    case 'softphone':
    case 'hardphone':
      return NONE;
    case 'mobile':
      return ONE_MOBILE_CHANNEL;
    default:
      return unknownKind(kind);
  }
}

function unknownKind(kind: never): never {
  throw new RangeError(`unknown far end kind ${JSON.stringify(kind)}`);
}

/** Pool totals. */
export type ChannelCount = Readonly<Record<ChannelPoolName, number>>;

/** What a set of live legs holds in all, on the server those legs belong to (SPEC Q-3). */
export function channelsHeld(farEnds: readonly Pick<FarEnd, 'kind'>[]): ChannelCount {
  const held = { channel: 0, 'mobile-channel': 0 };
  for (const f of farEnds) {
    const d = channelDemand(f);
    if (d.pool !== 'none') held[d.pool] += d.count;
  }
  return held;
}
