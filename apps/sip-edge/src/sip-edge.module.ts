import { Module } from '@nestjs/common';

/**
 * The only SIP speaker: UDP/TCP/WebSocket transports, registrar, trunks, and a B2BUA for every call with media anchored in rtpengine; records each leg's life as events.
 * Use cases arrive as folders beside this file (STYLE.md "Layout").
 */
@Module({})
export class SipEdgeModule {}
