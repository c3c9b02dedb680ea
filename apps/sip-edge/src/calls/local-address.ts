import { newBranch, TransportProtocol } from '@pbx/sip';

/** How sip-edge names itself on the wire: the advertised host and the port of each transport. */
export interface LocalAddress {
  host: string;
  udpPort: number;
  tcpPort: number;
  wsPort: number;
}

const VIA_TRANSPORT: Record<TransportProtocol, string> = { udp: 'UDP', tcp: 'TCP', ws: 'WS', wss: 'WSS', tls: 'TLS' };

export function portFor(local: LocalAddress, protocol: TransportProtocol): number {
  return protocol === 'udp' ? local.udpPort : protocol === 'tcp' || protocol === 'tls' ? local.tcpPort : local.wsPort;
}

/** Our Via for a request leaving on `protocol`, with a fresh branch and rport (RFC 3581). */
export function viaFor(local: LocalAddress, protocol: TransportProtocol, branch: string = newBranch()): { value: string; branch: string } {
  return { value: `SIP/2.0/${VIA_TRANSPORT[protocol]} ${local.host}:${portFor(local, protocol)};branch=${branch};rport`, branch };
}

/** Our Contact for dialogs on `protocol` (§8.1.1.8). */
export function contactFor(local: LocalAddress, protocol: TransportProtocol, user = 'edge'): string {
  const transport = protocol === 'udp' ? '' : `;transport=${protocol}`;
  return `<sip:${user}@${local.host}:${portFor(local, protocol)}${transport}>`;
}

export function viaSentBy(local: LocalAddress, protocol: TransportProtocol): { protocol: string; host: string; port: number } {
  return { protocol: VIA_TRANSPORT[protocol], host: local.host, port: portFor(local, protocol) };
}
