// Filled in by the auth module.
export {};
