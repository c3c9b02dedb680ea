import { Module } from '@nestjs/common';

/**
 * Owns the channel and mobile-channel pools (同時通話数, SPEC §3): atomic reservations as leases, over-limit decisions, usage and admin disconnect.
 * Use cases arrive as folders beside this file (STYLE.md "Layout").
 */
@Module({})
export class ChannelQuotaModule {}
