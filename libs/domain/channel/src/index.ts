// @pbx/domain-channel — channels (同時通話数) and mobile channels (モバイルチャネル), SPEC §3:
// which pool a leg holds and the pool decider. Pure: no framework, no I/O.
export { CHANNEL_POOLS, channelDemand, channelsHeld } from './channel-demand';
export type { ChannelCount, ChannelDemand, ChannelPoolName, FarEnd, FarEndKind } from './channel-demand';
export { channelPoolDecider, initialChannelPool, MAX_LEASE_MS } from './channel-pool.decider';
export { CHANNEL_POOL_EVENT_TYPES } from './channel-pool.types';
export type {
  ChannelLeaseExpired,
  ChannelLeaseRenewed,
  ChannelLimits,
  ChannelPool,
  ChannelPoolBooksClosed,
  ChannelPoolBooksOpened,
  ChannelPoolCommand,
  ChannelPoolEvent,
  ChannelPoolEventType,
  ChannelQuotaErrorCode,
  ChannelReleased,
  ChannelReserved,
  CloseBooks,
  ExpireLeases,
  Lease,
  LeaseHolder,
  LegDirection,
  OpenBooks,
  ReleaseChannel,
  RenewLease,
  ReserveChannel,
} from './channel-pool.types';
