import { Module } from '@nestjs/common';

/**
 * Links this server to peer servers over a NATS leaf node (`fed.v1.>` only) for prefixed extension calls and transfers (SPEC §4).
 * Use cases arrive as folders beside this file (STYLE.md "Layout").
 */
@Module({})
export class FederationGatewayModule {}
