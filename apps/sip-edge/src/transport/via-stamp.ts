import { formatVia, SipRequest } from '@pbx/sip';

/**
 * RFC 3261 §18.2.1 and RFC 3581 §4: a server receiving a request adds `received` when the top
 * Via's host is not the packet's source address, and fills in `rport` when the client asked
 * for it, so responses find their way back through NAT. Returns whether the Via changed.
 */
export function stampReceived(request: SipRequest, sourceAddress: string, sourcePort: number): boolean {
  const top = request.topVia();
  if (top === undefined) return false;
  const needReceived = top.host.replace(/^\[|\]$/g, '') !== sourceAddress;
  if (!needReceived && !top.hasRport) return false;
  const params = new Map(top.params);
  params.set('received', sourceAddress);
  if (top.hasRport) params.set('rport', String(sourcePort));
  const stamped = formatVia({ protocol: top.protocol, transport: top.transport, host: top.host, port: top.port, params });
  replaceTopVia(request, stamped);
  return true;
}

function replaceTopVia(request: SipRequest, topValue: string): void {
  const rows = request.headers.getAll('via');
  // The first row may hold several comma-separated values: keep the rest of that row.
  const [first, ...others] = rows;
  const comma = indexOfTopLevelComma(first);
  const restOfFirst = comma < 0 ? undefined : first.slice(comma + 1).trim();
  request.headers.set('Via', [topValue, ...(restOfFirst ? [restOfFirst] : []), ...others]);
}

function indexOfTopLevelComma(s: string): number {
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '"') quoted = !quoted;
    else if (c === ',' && !quoted) return i;
  }
  return -1;
}
