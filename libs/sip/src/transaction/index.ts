// Filled in by the transaction module.
export {};
