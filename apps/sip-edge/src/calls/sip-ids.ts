import { randomBytes, randomUUID } from 'node:crypto';

/** Tags, Call-IDs and leg ids sip-edge mints (RFC 3261 §19.3: globally unique, cryptographically random). */
export const newTag = (): string => randomBytes(6).toString('hex');
export const newCallId = (host: string): string => `${randomBytes(12).toString('hex')}@${host}`;
export const newLegId = (): string => randomUUID();
export const newRequestId = (): string => randomUUID();
