// Bounds on what one message may cost us. A peer that exceeds them gets 513 (size) or 400
// (shape) instead of our memory.

export interface SipLimits {
  /** Whole message, start line to last body byte. RFC 3261 §18.1.1 speaks of 64 KiB as the UDP ceiling. */
  readonly maxMessageBytes: number;
  /** Header fields (after unfolding, before splitting comma lists). */
  readonly maxHeaders: number;
  /** Any physical line, the start line included, without its CRLF. */
  readonly maxLineLength: number;
}

export const DEFAULT_LIMITS: SipLimits = Object.freeze({
  maxMessageBytes: 64 * 1024,
  maxHeaders: 256,
  maxLineLength: 8 * 1024,
});

export function resolveLimits(partial: Partial<SipLimits> | undefined): SipLimits {
  if (partial === undefined) return DEFAULT_LIMITS;
  return { ...DEFAULT_LIMITS, ...partial };
}
