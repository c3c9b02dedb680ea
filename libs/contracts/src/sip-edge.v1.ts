import { z } from 'zod';

// sip-edge's live signals: not events of the store (they are not part of any aggregate's
// history) but things happening now that other services react to.

/**
 * RFC 4733 digits rtpengine saw on a leg, one message per digit, on `live.v1.sip-edge.dtmf.<legId>`
 * (subscribe to `live.v1.sip-edge.dtmf.>` for all). Core NATS, not JetStream: a digit nobody
 * listens for is gone, which is what a mid-call code should do.
 */
export const SIP_EDGE_DTMF_PREFIX = 'live.v1.sip-edge.dtmf';
export const sipEdgeDtmfSubject = (legId: string): string => `${SIP_EDGE_DTMF_PREFIX}.${legId}`;

export const dtmfEventSchema = z.object({
  legId: z.string().min(1).max(128),
  digit: z.string().regex(/^[0-9*#A-D]$/),
  durationMs: z.number().int().min(0).optional(),
  at: z.string().datetime(),
});
export type DtmfEventMessage = z.infer<typeof dtmfEventSchema>;
