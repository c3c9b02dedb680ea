// Digest authentication (RFC 3261 §22, RFC 2617, RFC 7616, RFC 8760): MD5 and SHA-256, qop=auth.
export type { DigestAlgorithm, DigestResponseInput } from './digest.hash';
export { computeHa1, DIGEST_ALGORITHMS, digestHash, digestResponse, formatDigestSecret, ha1FromSecret, parseDigestSecret } from './digest.hash';
export type { NonceCheck, NonceIssuer, NonceIssuerOptions } from './nonce.issuer';
export { createNonceIssuer } from './nonce.issuer';
export type { NonceCountResult } from './nonce-count.tracker';
export { NonceCountTracker } from './nonce-count.tracker';
export type { ChallengeOptions, DigestFailure, DigestVerdict, VerifyDigestOptions } from './digest.verifier';
export { createChallenges, verifyDigest } from './digest.verifier';
export type { AnswerOptions, DigestErrorCode } from './digest.client';
export { answerChallenge, DigestError } from './digest.client';
export { uriTextEquals, urisEqual } from './uri-equality';
