// rtnetlink routes and policy rules (RTM_NEWROUTE/DELROUTE, RTM_NEWRULE/DELRULE) built
// from the config model's `ip route` / `ip rule` lines (src/config/model/ip.ts), the way
// iproute2 and keepalived's vrrp_iproute.c / vrrp_iprule.c build them. Pure.
//
//   struct rtmsg        { u8 family, dst_len, src_len, tos, table, protocol, scope, type; u32 flags; }
//   struct fib_rule_hdr { u8 family, dst_len, src_len, tos, table, res1, res2, action; u32 flags; }
import { NotSupportedError } from '../core/errors.js';
import type { IpRoute, IpRule, RouteType } from '../config/model/ip.js';
import { AF, RT_SCOPE, addrBytes, nla, nlaStr, nlaU32, nlaU8, nlMessage, type RTM } from './netlink-codec.js';

export const RTA = {
  DST: 1, SRC: 2, IIF: 3, OIF: 4, GATEWAY: 5, PRIORITY: 6, PREFSRC: 7, METRICS: 8, MULTIPATH: 9, TABLE: 15, PREF: 20,
} as const;

export const RTN: Record<RouteType, number> = {
  unicast: 1, local: 2, broadcast: 3, anycast: 4, multicast: 5, blackhole: 6, unreachable: 7, prohibit: 8, throw: 9, nat: 10,
};

/** iproute2's default protocol for `ip route add`. */
export const RTPROT_BOOT = 3;
export const RTNH_F_ONLINK = 4;
export const RT_TABLE_MAIN = 254;

/** RTAX_* of the metrics iproute2 puts in RTA_METRICS. */
const RTAX: Readonly<Record<string, number>> = {
  lock: 1, mtu: 2, window: 3, rtt: 4, rttvar: 5, ssthresh: 6, cwnd: 7, advmss: 8, reordering: 9,
  hoplimit: 10, initcwnd: 11, features: 12, rto_min: 13, initrwnd: 14, quickack: 15, fastopen_no_cookie: 17,
};

export const FRA = {
  DST: 1, SRC: 2, IIFNAME: 3, GOTO: 4, PRIORITY: 6, FWMARK: 10, TABLE: 15, FWMASK: 16, OIFNAME: 17,
  SUPPRESS_PREFIXLEN: 14, L3MDEV: 19, PROTOCOL: 21,
} as const;
export const FR_ACT = { table: 1, goto: 2, nop: 3, blackhole: 6, unreachable: 7, prohibit: 8 } as const;
export const FIB_RULE_INVERT = 0x2;

/** Resolves a device name to its ifindex (throws for an unknown device). */
export type IfIndexOf = (name: string) => number;

function prefix(dest: string): { bytes: Buffer; len: number; family: 4 | 6 } | undefined {
  if (dest === 'default') return undefined;
  const [addr = '', len] = dest.split('/');
  const { family, bytes } = addrBytes(addr);
  return { bytes, family, len: len === undefined ? bytes.length * 8 : Number(len) };
}

function metricsAttr(metrics: Readonly<Record<string, string>>, locked: readonly string[]): Buffer | undefined {
  const parts: Buffer[] = [];
  let lockMask = 0;
  for (const [name, value] of Object.entries(metrics)) {
    const id = RTAX[name];
    const n = Number(value);
    if (id === undefined || !Number.isInteger(n)) {
      throw new NotSupportedError(`route metric ${name} ${value} is not supported by halb's netlink encoder`);
    }
    parts.push(nlaU32(id, n));
    if (locked.includes(name)) lockMask |= 1 << id;
  }
  if (lockMask !== 0) parts.unshift(nlaU32(RTAX.lock!, lockMask));
  return parts.length === 0 ? undefined : nla(RTA.METRICS, Buffer.concat(parts));
}

/** RTM_NEWROUTE / RTM_DELROUTE for one route line. */
export function encodeRoute(type: typeof RTM.NEWROUTE | typeof RTM.DELROUTE, flags: number, seq: number, r: IpRoute, ifindexOf: IfIndexOf): Buffer {
  const dst = prefix(r.destination);
  const attrs: Buffer[] = [];
  if (dst !== undefined) attrs.push(nla(RTA.DST, dst.bytes));
  if (r.src !== undefined) attrs.push(nla(RTA.PREFSRC, addrBytes(r.src).bytes));
  let srcLen = 0;
  if (r.from !== undefined) {
    const from = prefix(r.from);
    if (from !== undefined) {
      attrs.push(nla(RTA.SRC, from.bytes));
      srcLen = from.len;
    }
  }
  if (r.via !== undefined) attrs.push(nla(RTA.GATEWAY, addrBytes(r.via).bytes));
  if (r.device !== undefined) attrs.push(nlaU32(RTA.OIF, ifindexOf(r.device)));
  if (r.metric !== undefined) attrs.push(nlaU32(RTA.PRIORITY, r.metric));
  // Tables above 255 only fit in RTA_TABLE; iproute2 always sends it.
  attrs.push(nlaU32(RTA.TABLE, r.table));
  const m = metricsAttr(r.metrics, r.locked);
  if (m !== undefined) attrs.push(m);
  if (r.nexthops.length > 0) {
    const hops = r.nexthops.map((h) => {
      const inner = h.via === undefined ? Buffer.alloc(0) : nla(RTA.GATEWAY, addrBytes(h.via).bytes);
      const rtnh = Buffer.alloc(8);
      rtnh.writeUInt16LE(8 + inner.length, 0);
      rtnh[2] = h.onlink ? RTNH_F_ONLINK : 0;
      rtnh[3] = h.weight === undefined ? 0 : h.weight - 1;
      rtnh.writeInt32LE(h.device === undefined ? 0 : ifindexOf(h.device), 4);
      return Buffer.concat([rtnh, inner]);
    });
    attrs.push(nla(RTA.MULTIPATH, Buffer.concat(hops)));
  }
  const hdr = Buffer.alloc(12);
  hdr[0] = r.family === 4 ? AF.INET : AF.INET6;
  hdr[1] = dst?.len ?? 0;
  hdr[2] = srcLen;
  hdr[3] = r.tos ?? 0;
  hdr[4] = r.table < 256 ? r.table : 252; // RT_TABLE_COMPAT when RTA_TABLE carries it
  hdr[5] = r.protocol ?? RTPROT_BOOT;
  // iproute2: a unicast route without a gateway is on-link (scope link); others universe;
  // local/broadcast routes are host/link scoped.
  const onLink = r.via === undefined && r.nexthops.every((h) => h.via === undefined);
  hdr[6] = r.scope ?? (r.type === 'local' || r.type === 'nat' ? RT_SCOPE.HOST
    : r.type === 'broadcast' || r.type === 'multicast' || (r.type === 'unicast' && onLink) ? RT_SCOPE.LINK : RT_SCOPE.UNIVERSE);
  hdr[7] = RTN[r.type];
  hdr.writeUInt32LE(r.onlink ? RTNH_F_ONLINK : 0, 8);
  return nlMessage(type, flags, seq, hdr, attrs);
}

/** RTM_NEWRULE / RTM_DELRULE for one rule line. */
export function encodeRule(type: typeof RTM.NEWRULE | typeof RTM.DELRULE, flags: number, seq: number, r: IpRule): Buffer {
  const unsupported = [
    r.realms !== undefined && 'realms', r.suppressIfGroup !== undefined && 'suppress_ifgroup', r.tunnelId !== undefined && 'tun_id',
    r.uidRange !== undefined && 'uidrange', r.ipProto !== undefined && 'ipproto', r.sport !== undefined && 'sport',
    r.dport !== undefined && 'dport',
  ].filter((x): x is string => x !== false);
  if (unsupported.length > 0) throw new NotSupportedError(`ip rule option(s) ${unsupported.join(', ')} not supported by halb's netlink encoder`);
  const attrs: Buffer[] = [nlaU32(FRA.PRIORITY, r.priority)];
  const from = r.from === undefined || r.from === 'all' ? undefined : prefix(r.from);
  const to = r.to === undefined || r.to === 'all' ? undefined : prefix(r.to);
  if (from !== undefined) attrs.push(nla(FRA.SRC, from.bytes));
  if (to !== undefined) attrs.push(nla(FRA.DST, to.bytes));
  if (r.iif !== undefined) attrs.push(nlaStr(FRA.IIFNAME, r.iif));
  if (r.oif !== undefined) attrs.push(nlaStr(FRA.OIFNAME, r.oif));
  if (r.fwmark !== undefined) attrs.push(nlaU32(FRA.FWMARK, r.fwmark));
  if (r.fwmask !== undefined) attrs.push(nlaU32(FRA.FWMASK, r.fwmask));
  if (r.table !== undefined) attrs.push(nlaU32(FRA.TABLE, r.table));
  if (r.gotoTarget !== undefined) attrs.push(nlaU32(FRA.GOTO, r.gotoTarget));
  if (r.suppressPrefixLength !== undefined) attrs.push(nlaU32(FRA.SUPPRESS_PREFIXLEN, r.suppressPrefixLength));
  if (r.l3mdev) attrs.push(nlaU8(FRA.L3MDEV, 1));
  if (r.protocol !== undefined) attrs.push(nlaU8(FRA.PROTOCOL, r.protocol));
  const hdr = Buffer.alloc(12);
  hdr[0] = r.family === 4 ? AF.INET : AF.INET6;
  hdr[1] = to?.len ?? 0;
  hdr[2] = from?.len ?? 0;
  hdr[3] = r.tos ?? 0;
  hdr[4] = r.table !== undefined && r.table < 256 ? r.table : 0;
  hdr[7] = FR_ACT[r.action];
  hdr.writeUInt32LE(r.invert ? FIB_RULE_INVERT : 0, 8);
  return nlMessage(type, flags, seq, hdr, attrs);
}
