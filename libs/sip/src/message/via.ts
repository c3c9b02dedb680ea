// Via (RFC 3261 §20.42, §25.1; rport RFC 3581 §3; IPv6 references RFC 5118 §4.5).
//   via-parm = sent-protocol LWS sent-by *( SEMI via-params )
//   sent-protocol = protocol-name SLASH protocol-version SLASH transport   (SLASH = SWS "/" SWS)
//   sent-by = host [ COLON port ]

import { COLON, COMMA, SEMI, SLASH } from './chars';
import { EMPTY_HEADER_PARAMS, eqAt, formatHeaderParams, HeaderParams, malformedValue, PARAM, readParam, readToken, skipWs } from './header-params';
import { HOST_SCAN, HostType, lastPort, scanHost, scanPort } from './sip-uri';

export interface Via {
  /** "SIP/2.0" (whitespace around the slash dropped). */
  readonly protocol: string;
  /** Upper-cased: "UDP", "TCP", "TLS", "SCTP", "WS", "WSS". */
  readonly transport: string;
  /** As written; an IPv6 reference keeps its brackets. */
  readonly host: string;
  readonly hostType: HostType;
  readonly port?: number;
  readonly branch?: string;
  readonly received?: string;
  /** `rport` present, with or without a value (RFC 3581 §3). */
  readonly hasRport: boolean;
  /** The value of `rport=`, when a server filled it in (RFC 3581 §4). */
  readonly rport?: number;
  readonly ttl?: number;
  readonly maddr?: string;
  /** Every parameter, names lower-cased, values as written. */
  readonly params: HeaderParams;
}

/** Parses a Via field value: one via-parm or a comma list of them. */
export function parseViaList(s: string, out: Via[] = []): Via[] {
  const b = s.length;
  let i = 0;
  for (;;) {
    i = skipWs(s, i, b);
    // sent-protocol
    const nameEnd = readToken(s, i, b);
    if (nameEnd === i) throw malformedValue('Via');
    let j = skipWs(s, nameEnd, b);
    if (s.charCodeAt(j) !== SLASH) throw malformedValue('Via');
    j = skipWs(s, j + 1, b);
    const versionEnd = readToken(s, j, b);
    if (versionEnd === j) throw malformedValue('Via');
    const protocol = nameEnd - i === 3 && versionEnd - j === 3 && eqAt(s, i, 'SIP') && eqAt(s, j, '2.0') ? 'SIP/2.0' : `${s.slice(i, nameEnd)}/${s.slice(j, versionEnd)}`;
    j = skipWs(s, versionEnd, b);
    if (s.charCodeAt(j) !== SLASH) throw malformedValue('Via');
    j = skipWs(s, j + 1, b);
    const transportEnd = readToken(s, j, b);
    if (transportEnd === j) throw malformedValue('Via');
    const transport = upperTransport(s, j, transportEnd);
    // LWS, then sent-by
    i = skipWs(s, transportEnd, b);
    if (i === transportEnd) throw malformedValue('Via');
    const hostEnd = scanHost(s, i, b);
    if (hostEnd < 0) throw malformedValue('Via');
    const host = s.slice(i, hostEnd);
    const hostType = HOST_SCAN.type;
    i = skipWs(s, hostEnd, b);
    let port: number | undefined;
    if (i < b && s.charCodeAt(i) === COLON) {
      const pe = scanPort(s, skipWs(s, i + 1, b), b);
      if (pe < 0) throw malformedValue('Via');
      port = lastPort();
      i = pe;
    }

    let params = EMPTY_HEADER_PARAMS;
    let branch: string | undefined;
    let received: string | undefined;
    let hasRport = false;
    let rport: number | undefined;
    let ttl: number | undefined;
    let maddr: string | undefined;
    i = skipWs(s, i, b);
    if (i < b && s.charCodeAt(i) === SEMI) {
      const m = new Map<string, string | null>();
      while (i < b && s.charCodeAt(i) === SEMI) {
        i = readParam(s, i + 1, b, 'Via');
        const name = PARAM.name;
        const value = PARAM.value;
        m.set(name, value);
        // paramName() returns these names as constants, so === compares pointers
        if (name === 'branch') {
          if (value === null) throw malformedValue('Via');
          branch = value;
        } else if (name === 'rport') {
          hasRport = true;
          if (value !== null) {
            if (scanPort(value, 0, value.length) !== value.length) throw malformedValue('Via');
            rport = lastPort();
          }
        } else if (name === 'received') {
          if (value === null) throw malformedValue('Via');
          received = value;
        } else if (name === 'ttl') {
          // ttl = 1*3DIGIT ; 0 to 255
          if (value === null || !/^\d{1,3}$/.test(value) || Number(value) > 255) throw malformedValue('Via');
          ttl = Number(value);
        } else if (name === 'maddr') {
          if (value === null) throw malformedValue('Via');
          maddr = value;
        }
      }
      params = m;
    }
    out.push({ protocol, transport, host, hostType, port, branch, received, hasRport, rport, ttl, maddr, params });
    if (i >= b) return out;
    if (s.charCodeAt(i) !== COMMA) throw malformedValue('Via');
    i++;
  }
}

function upperTransport(s: string, a: number, b: number): string {
  const len = b - a;
  const c0 = s.charCodeAt(a) & ~0x20;
  const c1 = s.charCodeAt(a + 1) & ~0x20;
  if (len === 3) {
    const c2 = s.charCodeAt(a + 2) & ~0x20;
    if (c0 === 0x55 && c1 === 0x44 && c2 === 0x50) return 'UDP';
    if (c0 === 0x54 && c1 === 0x43 && c2 === 0x50) return 'TCP';
    if (c0 === 0x54 && c1 === 0x4c && c2 === 0x53) return 'TLS';
    if (c0 === 0x57 && c1 === 0x53 && c2 === 0x53) return 'WSS';
  }
  return s.slice(a, b).toUpperCase();
}

export interface ViaInit {
  readonly protocol?: string;
  readonly transport: string;
  readonly host: string;
  readonly port?: number;
  readonly branch?: string;
  /** Adds a bare `rport` (RFC 3581 §3). */
  readonly rport?: boolean;
  readonly params?: Iterable<readonly [string, string | null]>;
}

/** Writes one via-parm. From a parsed Via, `params` already holds branch/received/rport. */
export function formatVia(via: Via | ViaInit): string {
  let out = (via.protocol ?? 'SIP/2.0') + '/' + via.transport.toUpperCase() + ' ' + via.host;
  if (via.port !== undefined) out += ':' + via.port;
  if ('hasRport' in via) return via.params.size > 0 ? out + formatHeaderParams(via.params) : out;
  if (via.branch !== undefined) out += ';branch=' + via.branch;
  if (via.rport === true) out += ';rport';
  if (via.params !== undefined) out += formatHeaderParams(new Map(via.params));
  return out;
}
