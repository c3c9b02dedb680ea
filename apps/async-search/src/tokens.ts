/** Injection tokens of async-search's own providers. */
export const CONFIG = Symbol('ASYNC_SEARCH_CONFIG');
/** () => epoch ms; injected so tests can move time. */
export const CLOCK = Symbol('CLOCK');
/** () => a new job id (uuid). */
export const NEW_ID = Symbol('NEW_ID');
export const EVENT_STORE = Symbol('EVENT_STORE');
export const FILE_STORE = Symbol('FILE_STORE');
export const EXPORT_TARGETS = Symbol('EXPORT_TARGETS');
export const MAIL_TRANSPORT = Symbol('MAIL_TRANSPORT');

export type Clock = () => number;
