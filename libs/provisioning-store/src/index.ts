// @pbx/provisioning-store — provisioning applied at runtime as an event (issue #4, SPEC B-3):
// hash the secrets, append one ProvisioningApplied to `provisioning-<serverId>`, load what is in
// force, follow what the relay publishes. docs/provisioning.md.
export { hashProvisioningSecrets } from './provisioning-secrets';
export type { HashSecretsOptions } from './provisioning-secrets';
export { documentHash, hashedProvisioningSchema, PROVISIONING_APPLIED_SUBJECT, provisioningStream } from './provisioning-document';
export { ProvisioningConflictError, ProvisioningRejectedError, ProvisioningTooLargeError } from './provisioning-errors';
export { applyProvisioning, DEFAULT_MAX_EVENT_BYTES } from './apply-provisioning';
export type { ApplyMeta, ApplyResult } from './apply-provisioning';
export { InvalidProvisioningEventError, loadAppliedProvisioning, loadCurrentProvisioning, toAppliedProvisioning } from './load-provisioning';
export { watchProvisioning } from './watch-provisioning';
export type { ProvisioningWatch, WatchOptions } from './watch-provisioning';
export { followProvisioning } from './follow-provisioning';
export type { FollowProvisioningOptions, ProvisioningFollower } from './follow-provisioning';
export type { AppliedProvisioning } from '@pbx/domain-provisioning';
export { startLiveProvisioning } from './live-provisioning';
export type { LiveProvisioning, LiveProvisioningOptions } from './live-provisioning';
export { startServiceProvisioning } from './service-provisioning';
export type { ServiceProvisioningOptions } from './service-provisioning';
