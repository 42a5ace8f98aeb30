// One line of static_routes / virtual_routes, read as keepalived's alloc_route()
// (keepalived/vrrp/vrrp_iproute.c): `ip route` syntax without abbreviations.
import type { Stmt } from '../lexer.js';
import type { IpFamily, IpRoute, NextHop } from '../model/ip.js';
import type { Parser } from '../parser.js';
import { parseAddr } from './ip-address.js';
import { isRouteType, resolveDsfield, resolveProtocol, resolveScope, resolveTable, RTPROT_KEEPALIVED } from './rt-names.js';

/** Metrics taking `[lock] NUMBER`, with their maximum and keepalived's message. */
const METRICS: Record<string, { max: number; lockable: boolean; what: string }> = {
  mtu: { max: 4294967295, lockable: true, what: 'MTU' },
  hoplimit: { max: 255, lockable: false, what: 'hoplimit' },
  advmss: { max: 4294967295, lockable: true, what: 'advmss' },
  reordering: { max: 4294967295, lockable: true, what: 'reordering value' },
  window: { max: 4294967295, lockable: false, what: 'window value' },
  cwnd: { max: 4294967295, lockable: true, what: 'cwnd value' },
  ssthresh: { max: 4294967295, lockable: true, what: 'ssthresh value' },
  initcwnd: { max: 4294967295, lockable: false, what: 'initcwnd value' },
  initrwnd: { max: 4294967295, lockable: false, what: 'initrwnd value' },
  quickack: { max: 1, lockable: false, what: 'quickack value' },
  fastopen_no_cookie: { max: 1, lockable: false, what: 'fastopen_no_cookie value' },
  expires: { max: 4294967295, lockable: false, what: 'expires time' },
};
/** Metrics whose value is kept as text (times with units, names). */
const TEXT_METRICS = ['rtt', 'rttvar', 'rto_min', 'congctl', 'features', 'pref', 'ttl-propagate', 'realms'];

export interface RouteContext {
  readonly allowTrackGroup: boolean;
  readonly trackGroups: readonly string[];
}

type Fail = { fail: true };
const FAIL: Fail = { fail: true };

/** Parse one route line; undefined when keepalived would drop it. */
export function parseRouteLine(s: Stmt, p: Parser, ctx: RouteContext): IpRoute | undefined {
  const w = s.words;
  const err = (m: string): Fail => {
    p.diag.error(s.pos, m, w[0]);
    return FAIL;
  };
  let family: IpFamily | undefined;
  const famOk = (f: IpFamily): boolean => {
    family ??= f;
    return family === f;
  };
  const setFamily = (f: IpFamily, mixMsg = 'Cannot mix IPv4 and IPv6 addresses for route'): boolean => {
    if (famOk(f)) return true;
    err(mixMsg);
    return false;
  };
  const r: Omit<IpRoute, 'family' | 'destination'> & { destination?: string } = {
    pos: s.pos, type: 'unicast', table: 254, onlink: false, metrics: {}, locked: [], nexthops: [], noTrack: false,
  };
  let destText: string | undefined;
  let protocolGiven = false;
  let i = 0;
  const addr = (text: string | undefined, what: string, allowPrefix = false): string | undefined => {
    const a = text === undefined ? undefined : parseAddr(text, s, p, allowPrefix);
    if (a === undefined) {
      err(`invalid route ${what} address ${text ?? ''}`);
      return undefined;
    }
    return setFamily(a.family) ? (allowPrefix ? `${a.address}/${a.prefixLength}` : a.address) : undefined;
  };
  const parseOne = (): Fail | undefined => {
    const k = w[i] as string;
    const v = w[i + 1];
    if (k === 'inet6' || k === 'inet') {
      return setFamily(k === 'inet6' ? 6 : 4, `${k} specified for IPv${k === 'inet6' ? 4 : 6} route`) ? undefined : FAIL;
    }
    if (k === 'src') { i++; const a = addr(v, 'src'); if (a === undefined) return FAIL; r.src = a; return undefined; }
    if (k === 'via' || k === 'gw') {
      if (k === 'gw') err('"gw" for routes is deprecated. Please use "via"');
      i++;
      let t = v;
      if (t === 'inet' || t === 'inet6') { if (!setFamily(t === 'inet6' ? 6 : 4)) return FAIL; i++; t = w[i]; }
      const a = addr(t, 'via'); if (a === undefined) return FAIL; r.via = a; return undefined;
    }
    if (k === 'from') {
      i++;
      const a = v === undefined ? undefined : parseAddr(v, s, p, true);
      if (a === undefined) return err(`invalid route from address ${v ?? ''}`);
      if (a.family !== 6) return err(`route from address only supported with IPv6 (${v})`);
      if (!setFamily(6)) return FAIL;
      r.from = `${a.address}/${a.prefixLength}`;
      return undefined;
    }
    if (k === 'tos' || k === 'dsfield') {
      i++; const t = v === undefined ? undefined : resolveDsfield(v);
      if (t === undefined) return err(`TOS value ${v ?? ''} is invalid`); r.tos = t; return undefined;
    }
    if (k === 'table') {
      i++; const t = v === undefined ? undefined : resolveTable(v);
      if (t === undefined) return err(`Routing table ${v ?? ''} not found for route`); r.table = t; return undefined;
    }
    if (k === 'protocol') {
      i++; const t = v === undefined ? undefined : resolveProtocol(v);
      if (t === undefined) return err(`Protocol ${v ?? ''} not found or invalid for route`);
      r.protocol = t; protocolGiven = true; return undefined;
    }
    if (k === 'scope') {
      i++; const t = v === undefined ? undefined : resolveScope(v);
      if (t === undefined) return err(`Scope ${v ?? ''} not found or invalid for route`); r.scope = t; return undefined;
    }
    if (k === 'metric' || k === 'priority' || k === 'preference') {
      i++;
      if (v === undefined || !/^\d+$/.test(v) || Number(v) > 4294967295) return err(`Invalid metric ${v ?? ''} specified for route`);
      r.metric = Number(v); return undefined;
    }
    if (k === 'dev' || k === 'oif') { i++; if (v === undefined) return err('Route has trailing nonsense - dev'); r.device = v; return undefined; }
    if (k === 'onlink') { r.onlink = true; return undefined; }
    if (k === 'encap' || k === 'as') return err(`${k === 'as' ? "'as [to]'" : 'encap'} not supported by halb`);
    const m = METRICS[k];
    if (m !== undefined || TEXT_METRICS.includes(k)) {
      i++;
      let t = v;
      if (t === 'lock' && (m?.lockable ?? ['rtt', 'rttvar', 'rto_min', 'congctl'].includes(k))) { r.locked.push(k); i++; t = w[i]; }
      if (t === undefined) return err(`Route has trailing nonsense - ${k}`);
      if (m !== undefined && (!/^\d+$/.test(t) || Number(t) > m.max)) return err(`Invalid ${m.what} ${t} specified for route`);
      if ((k === 'expires' || k === 'pref') && !setFamily(6, `${k} is only valid for IPv6`)) return FAIL;
      if (k === 'realms' && !setFamily(4, 'realms are only valid for IPv4')) return FAIL;
      r.metrics[k] = t;
      return undefined;
    }
    if (k === 'or') {
      err('"or" for routes is deprecated. Please use "nexthop"');
      i++;
      if (r.nexthops.length > 0) { err('"or" route already specified - ignoring subsequent'); return undefined; }
      const a = v === undefined ? undefined : parseAddr(v, s, p, false);
      if (a === undefined) return err(`Invalid "or" address ${v ?? ''}`);
      r.nexthops.push({ ...(r.via !== undefined ? { via: r.via } : {}), onlink: false }, { via: a.address, onlink: false });
      delete r.via;
      return undefined;
    }
    if (k === 'no_track') { r.noTrack = true; return undefined; }
    if (ctx.allowTrackGroup && k === 'track_group') {
      i++;
      if (r.trackGroup !== undefined) { err(`track_group ${v ?? ''} is a duplicate`); i = w.length; return undefined; }
      if (v !== undefined && ctx.trackGroups.includes(v)) r.trackGroup = v;
      else err(`track_group ${v ?? ''} not found`);
      return undefined;
    }
    // Otherwise: `[to] [TYPE] DEST`.
    if (k === 'to') i++;
    if (w[i] !== undefined && isRouteType(w[i] as string)) { r.type = w[i] as IpRoute['type']; i++; }
    destText = w[i];
    if (destText === undefined) return err('Route must have a destination');
    if (destText === 'default' || destText === 'any' || destText === 'all') { r.destination = 'default'; return undefined; }
    if (destText === 'default6') { r.destination = 'default'; return setFamily(6) ? undefined : FAIL; }
    const d = parseAddr(destText, s, p, true);
    if (d === undefined) return err(`unknown route keyword ${destText}`);
    if (!setFamily(d.family, `Cannot mix IPv4 and IPv6 addresses for route (${destText})`)) return FAIL;
    r.destination = `${d.address}/${d.prefixLength}`;
    return undefined;
  };
  for (; i < w.length; i++) {
    if (w[i] === 'nexthop') {
      if (r.nexthops.length > 0) err('Cannot specify nexthops with "or" route');
      else if (parseNexthops(w, i, r.nexthops, err, famOk, s, p) === undefined) return undefined;
      break;
    }
    if (parseOne() !== undefined) return undefined;
  }
  if (r.destination === undefined) {
    err('Route must have a destination');
    return undefined;
  }
  if (!r.noTrack) {
    if (protocolGiven && r.protocol !== RTPROT_KEEPALIVED) {
      err(`Route cannot be tracked if protocol is not RTPROT_KEEPALIVED(${RTPROT_KEEPALIVED}), resetting protocol`);
    }
    r.protocol = RTPROT_KEEPALIVED;
    if (r.device === undefined) {
      err(`Warning - cannot track route ${destText ?? r.destination} with no interface specified, not tracking`);
      r.noTrack = true;
    }
  }
  if (r.trackGroup !== undefined && r.device === undefined) {
    err('Static route cannot have track group if no oif specified');
    delete r.trackGroup;
  }
  return { ...r, destination: r.destination, family: family ?? 4 };
}

function parseNexthops(
  w: readonly string[], start: number, out: NextHop[], err: (m: string) => Fail,
  setFamily: (f: IpFamily) => boolean, s: Stmt, p: Parser,
): true | undefined {
  let i = start;
  while (i < w.length) {
    if (w[i] === 'nexthop') i++;
    const nh: NextHop = { onlink: false };
    for (; i < w.length; i++) {
      const k = w[i] as string;
      const v = w[i + 1];
      if (k === 'via') {
        i++;
        let t = v;
        if (t === 'inet' || t === 'inet6') { if (!setFamily(t === 'inet6' ? 6 : 4)) { err('IPv4/6 mismatch for nexthop'); return undefined; } i++; t = w[i]; }
        const a = t === undefined ? undefined : parseAddr(t, s, p, false);
        if (a === undefined) { err(`invalid nexthop address ${t ?? ''}`); return undefined; }
        if (!setFamily(a.family)) { err('Address family mismatch for next hop'); return undefined; }
        nh.via = a.address;
      } else if (k === 'dev') {
        i++;
        if (v === undefined) { err('Route has trailing nonsense after nexthops - dev'); return undefined; }
        nh.device = v;
      } else if (k === 'weight') {
        i++;
        if (v === undefined || !/^\d+$/.test(v) || Number(v) > 256) { err(`Invalid weight ${v ?? ''} specified for route`); return undefined; }
        if (Number(v) === 0) { err('Invalid weight 0 specified for route'); return undefined; }
        nh.weight = Number(v);
      } else if (k === 'onlink') nh.onlink = true;
      else if (k === 'realms') {
        i++;
        if (v === undefined) { err('Invalid realms  for route'); return undefined; }
        if (!setFamily(4)) { err('realms are only supported for IPv4'); return undefined; }
        nh.realms = v;
      } else break;
    }
    out.push(nh);
    if (i < w.length && w[i] !== 'nexthop') {
      err(`Route has trailing nonsense after nexthops - ${w[i]}`);
      return undefined;
    }
  }
  return true;
}
