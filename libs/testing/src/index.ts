export * from './infra/processes';
export * from './infra/test-infra';
export * from './fixtures';
export * from './test-smtp';
export * from './provisioning-file';
