import type { AccountDirectory } from './accounts/account-directory';

/** Injection tokens of the gateway's own providers. */
export const GATEWAY_SETTINGS = Symbol('GATEWAY_SETTINGS');
/** A CurrentAccounts: the accounts of the provisioning in force. */
export const ACCOUNTS = Symbol('ACCOUNTS');
export const CLOCK = Symbol('CLOCK');
export const LOGIN_THROTTLE = Symbol('LOGIN_THROTTLE');
export const FILE_STORE = Symbol('FILE_STORE');

/** Milliseconds since the epoch; injected so tests can move time (token expiry, login window). */
export type Clock = () => number;

/** Settings resolved at boot from Config (the JWT secret is drawn here when none is configured). */
export interface GatewaySettings {
  jwtSecret: string;
  jwtTtlSeconds: number;
  downstreamTimeoutMs: number;
}

/** The accounts of the provisioning in force at the time of the call; read once per request, never kept. */
export type CurrentAccounts = () => AccountDirectory;
