// @pbx/domain-provisioning — the applied provisioning of a server as an aggregate (SPEC B-3):
// one ProvisioningApplied event per document. Pure: no framework, no I/O. docs/provisioning.md.
export { provisioningDecider } from './provisioning.decider';
export { PROVISIONING_EVENT_TYPES } from './provisioning.types';
export type {
  AppliedProvisioning,
  ApplyProvisioning,
  ProvisioningApplied,
  ProvisioningAppliedData,
  ProvisioningCommand,
  ProvisioningErrorCode,
  ProvisioningEvent,
  ProvisioningState,
} from './provisioning.types';
