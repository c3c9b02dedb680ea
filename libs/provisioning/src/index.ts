// @pbx/provisioning — the provisioning file of one server: schema, loader, secrets (SPEC B-3).
export * from './number-plan';
export {
  provisioningSchema,
  serverSchema,
  trunkSchema,
  extensionSchema,
  groupSchema,
  callCenterSchema,
  ivrSchema,
  didSchema,
  accountSchema,
  peerSchema,
} from './provisioning.schema';
export type {
  Provisioning,
  ServerSettings,
  Trunk,
  Extension,
  PhoneExtension,
  MobileExtension,
  EndpointKind,
  Carrier,
  Group,
  CallCenter,
  Ivr,
  Did,
  Account,
  Role,
  AgentSignIn,
  FederationPeer,
} from './provisioning.schema';
export type { ProvisioningError } from './provisioning.rules';
export { parseProvisioning, validateProvisioning, formatPath, formatProvisioningErrors, MAX_PROVISIONING_BYTES } from './provisioning.parser';
export type { ProvisioningResult } from './provisioning.parser';
export { hashSecrets, hashSecretsAsync } from './provisioning.secrets';
export type { SecretToHash, SecretHasher, AsyncSecretHasher, HashedProvisioning, HashedExtension, HashedPhoneExtension, HashedAccount } from './provisioning.secrets';
export { diffProvisioning, summarizeProvisioning } from './provisioning.diff';
export { canonicalJson } from './canonical-json';
export type { ProvisioningDiff } from './provisioning.diff';
