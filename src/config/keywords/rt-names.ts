// iproute2's built-in names for scopes, tables, protocols, route types and DS fields
// (/etc/iproute2/rt_* defaults). keepalived reads those files at run time; config/ does
// no I/O, so the stock names are what we know.

const SCOPES: Record<string, number> = { global: 0, universe: 0, site: 200, link: 253, host: 254, nowhere: 255 };
const TABLES: Record<string, number> = { unspec: 0, default: 253, main: 254, local: 255 };
const PROTOCOLS: Record<string, number> = {
  unspec: 0, redirect: 1, kernel: 2, boot: 3, static: 4, gated: 8, ra: 9, mrt: 10, zebra: 11, bird: 12,
  dnrouted: 13, xorp: 14, ntk: 15, dhcp: 16, keepalived: 18, babel: 42, bgp: 186, isis: 187, ospf: 188,
  rip: 189, eigrp: 192,
};
export const ROUTE_TYPES = [
  'unicast', 'local', 'broadcast', 'anycast', 'multicast', 'blackhole', 'unreachable', 'prohibit', 'throw', 'nat',
] as const;
export type RouteTypeName = (typeof ROUTE_TYPES)[number];

/** RTPROT_KEEPALIVED: the protocol keepalived stamps on the routes and rules it tracks. */
export const RTPROT_KEEPALIVED = 18;

function numberOrName(text: string, names: Record<string, number>, max: number): number | undefined {
  if (Object.hasOwn(names, text)) return names[text];
  if (!/^(0x[0-9a-fA-F]+|\d+)$/.test(text)) return undefined;
  const v = Number(text);
  return v <= max ? v : undefined;
}

export function resolveScope(text: string): number | undefined {
  return numberOrName(text, SCOPES, 255);
}
export function resolveTable(text: string): number | undefined {
  return numberOrName(text, TABLES, 4294967295);
}
export function resolveProtocol(text: string): number | undefined {
  return numberOrName(text, PROTOCOLS, 255);
}
export function resolveDsfield(text: string): number | undefined {
  return numberOrName(text, {}, 255);
}
export function isRouteType(text: string): text is RouteTypeName {
  return (ROUTE_TYPES as readonly string[]).includes(text);
}
