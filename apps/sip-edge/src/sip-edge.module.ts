import { DynamicModule, Module } from '@nestjs/common';
import { SipEdgeService } from './sip-edge.service';

/**
 * The only SIP speaker: UDP/TCP/WebSocket transports, registrar, trunks, and a B2BUA for every
 * call with media anchored in rtpengine; records each leg's life as events. docs/sip-edge.md.
 */
@Module({})
export class SipEdgeModule {
  static register(): DynamicModule {
    return { module: SipEdgeModule, providers: [SipEdgeService], exports: [SipEdgeService] };
  }
}
