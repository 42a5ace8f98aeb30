// `ip route get ADDR`: the interface and next hop the kernel would use for a destination.
// The DR dataplane needs the device each real server is reached on, and must refuse a
// real server that is not on a directly connected network (DR rewrites only the MAC).
import { SysError } from '../core/errors.js';
import { execCommand, type NsOptions } from './exec-ns.js';

export interface RouteToAddress {
  readonly destination: string;
  readonly device: string;
  /** Set when the route goes through a router rather than straight to the address. */
  readonly gateway?: string;
  /** The route is a local address of this host. */
  readonly local: boolean;
}

export async function routeGet(address: string, opts: NsOptions = {}): Promise<RouteToAddress> {
  const r = await execCommand('ip', ['-j', 'route', 'get', address], opts);
  if (r.status !== 0) throw new SysError('ip route get', `no route to ${address}: ${r.stderr.trim()}`, /unreachable/i.test(r.stderr) ? 'ENETUNREACH' : undefined);
  const rows = JSON.parse(r.stdout) as { dst?: string; dev?: string; gateway?: string; type?: string }[];
  const row = rows[0];
  if (row?.dev === undefined) throw new SysError('ip route get', `ip route get ${address} named no device`);
  return {
    destination: row.dst ?? address,
    device: row.dev,
    ...(row.gateway !== undefined ? { gateway: row.gateway } : {}),
    local: row.type === 'local',
  };
}
