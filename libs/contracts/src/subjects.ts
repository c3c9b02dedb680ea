/**
 * NATS subject names (STYLE.md "Names"): cmd.v1.<service>.<verb>, qry.v1.<service>.<what>,
 * evt.v1.<category>.<type>. Every subject the system uses is built here.
 */
export const SERVICE_NAMES = [
  'sip-edge',
  'dialplan',
  'channel-quota',
  'federation-gateway',
  'mobile-fmc',
  'callback',
  'callback-queue',
  'call-center',
  'history-projector',
  'async-search',
  'api-gateway',
] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

const token = /^[a-z][a-z0-9-]*$/;
const eventType = /^[A-Z][A-Za-z0-9]*$/;

function check(kind: string, value: string, re: RegExp): string {
  if (!re.test(value)) throw new Error(`invalid ${kind} in subject: ${JSON.stringify(value)}`);
  return value;
}

export const cmdSubject = (service: ServiceName, verb: string): string => `cmd.v1.${service}.${check('verb', verb, token)}`;
export const qrySubject = (service: ServiceName, what: string): string => `qry.v1.${service}.${check('query', what, token)}`;
export const evtSubject = (category: string, type: string): string => `evt.v1.${check('category', category, token)}.${check('event type', type, eventType)}`;

/** Every service answers its health on this subject (besides HTTP /health). */
export const healthSubject = (service: ServiceName): string => qrySubject(service, 'health');

/** NATS header that carries the call's request id (ARCHITECTURE.md: correlationId = request id). */
export const CORRELATION_HEADER = 'Pbx-Correlation-Id';

/**
 * Default HTTP port of a service (/health, /metrics, REST): api-gateway on `base - 1` (the admin
 * portal's 3000), the others from `base` in SERVICE_NAMES order. Services and the local stack
 * both take it from here.
 */
export function defaultHttpPort(service: ServiceName, base = 3001, gatewayPort = 3000): number {
  if (service === 'api-gateway') return gatewayPort;
  return base + SERVICE_NAMES.filter((s) => s !== 'api-gateway').indexOf(service);
}
