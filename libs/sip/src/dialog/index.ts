// Filled in by the dialog module.
export {};
