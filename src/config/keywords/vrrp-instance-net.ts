// vrrp_instance keywords for addresses and transport: VIPs, routes and rules moved with
// MASTER, source/destination addresses, unicast peers, authentication, VMAC/IPVLAN and
// VRF (keepalived/vrrp/vrrp_parser.c, vrrp_data.c).
import { isIP } from 'node:net';
import type { Stmt } from '../lexer.js';
import type { KeepalivedConfig } from '../model/index.js';
import type { IpFamily } from '../model/ip.js';
import type { VrrpInstance } from '../model/vrrp.js';
import type { KeywordTable, Parser } from '../parser.js';
import { linesBlock, tableBlock } from '../parser.js';
import { normaliseAddr, readInt } from '../readers.js';
import { parseAddressLine } from './ip-address.js';
import { parseRouteLine } from './ip-route.js';
import { parseRuleLine, type RulePriorities } from './ip-rule.js';
import { needArg, optBool } from './kw-util.js';
import type { InstancePending } from './pending.js';

const IFNAMSIZ = 16;
/** keepalived's auth_data is 8 bytes (RFC 2338 §5.3.10: the password field is 8 octets). */
const AUTH_PASS_MAX = 8;

function isMcast(a: string, fam: IpFamily): boolean {
  if (fam === 4) {
    const first = Number(a.split('.')[0]);
    return first >= 224 && first <= 239;
  }
  // IN6_IS_ADDR_MC_LINKLOCAL: ffX2::/16.
  return /^ff[0-9a-f]2:/i.test(a);
}

function addressKeywords(cfg: KeepalivedConfig, v: VrrpInstance, pend: InstancePending, priorities: RulePriorities): KeywordTable {
  const n = v.name;
  return {
    virtual_ipaddress: (_s, p) => linesBlock((ls) => {
      const a = parseAddressLine(ls, p, { isStatic: false });
      if (a === undefined) return;
      if (pend.family === undefined) pend.family = a.family;
      else if (a.family !== pend.family) {
        p.diag.error(ls.pos, `(${n}): address family must match VRRP instance [${ls.words[0]}] - ignoring`, ls.words[0]);
        return;
      }
      v.vips.push(a);
    }),
    virtual_ipaddress_excluded: (_s, p) => linesBlock((ls) => {
      const a = parseAddressLine(ls, p, { isStatic: false });
      if (a !== undefined) v.evips.push(a);
    }),
    no_virtual_ipaddress: (s, p) => {
      p.diag.warn(s.pos, "'no_virtual_ipaddress' is not known to keepalived 2.2.7, which would reject this file; halb accepts it", s.words[0]);
      v.allowNoVips = true;
    },
    promote_secondaries: () => { v.promoteSecondaries = true; },
    virtual_routes: (_s, p) => linesBlock((ls) => {
      const r = parseRouteLine(ls, p, { allowTrackGroup: false, trackGroups: [] });
      if (r !== undefined) v.virtualRoutes.push(r);
    }),
    virtual_rules: (_s, p) => linesBlock((ls) => {
      const r = parseRuleLine(ls, p, { allowTrackGroup: false, trackGroups: [], priorities });
      if (r !== undefined) v.virtualRules.push(r);
    }),
    authentication: () => tableBlock({
      auth_type: (s, p) => {
        if (!needArg(s, p)) return;
        const t = s.words[1] as string;
        if (t === 'AH' || t === 'PASS') pend.authType = t;
        else p.diag.error(s.pos, `(${n}) unknown authentication type '${t}'`, s.words[0]);
      },
      auth_pass: (s, p) => {
        if (!needArg(s, p)) return;
        const pass = s.words[1] as string;
        if (pass.length > AUTH_PASS_MAX) p.diag.error(s.pos, `Truncating auth_pass to ${AUTH_PASS_MAX} characters`, s.words[0]);
        pend.authPass = pass.slice(0, AUTH_PASS_MAX);
      },
    }),
  };
}

/**
 * keepalived's inet_stosockaddr() drops everything from the first '-' or '/' ("remove
 * range and mask stuff"), so `unicast_src_ip 10.0.0.1/24` and a peer `10.0.0.2/24`,
 * common in published configs, mean the bare addresses.
 */
export function withoutMaskOrRange(w: string): string {
  const cut = w.search(/[-/]/);
  return cut < 0 ? w : w.slice(0, cut);
}

function sourceAddress(s: Stmt, p: Parser, v: VrrpInstance, pend: InstancePending): void {
  if (!needArg(s, p)) return;
  const raw = s.words[1] as string;
  const w = withoutMaskOrRange(raw);
  const fam = isIP(w);
  if (fam === 0) {
    p.diag.error(s.pos, `Configuration error: VRRP instance[${v.name}] malformed src address[${raw}]. Skipping...`, s.words[0]);
    return;
  }
  pend.family ??= fam as IpFamily;
  if (fam !== pend.family) {
    p.diag.error(s.pos, `Configuration error: VRRP instance[${v.name}] and src address[${w}] MUST be of the same family !!! Skipping...`, s.words[0]);
    delete v.srcIp;
    pend.srcIpFromConfig = false;
    return;
  }
  v.srcIp = normaliseAddr(w, fam as IpFamily);
  pend.srcIpFromConfig = true;
}

function unicastPeerLine(s: Stmt, p: Parser, v: VrrpInstance, pend: InstancePending): void {
  const w = s.words;
  const raw = w[0] as string;
  const addr = withoutMaskOrRange(raw);
  const fam = isIP(addr);
  if (fam === 0) {
    p.diag.error(s.pos, `Configuration error: VRRP instance[${v.name}] malformed unicast peer address[${raw}]. Skipping...`, raw);
    return;
  }
  pend.family ??= fam as IpFamily;
  if (fam !== pend.family) {
    p.diag.error(s.pos, `Configuration error: VRRP instance[${v.name}] and unicast peer address[${addr}] MUST be of the same family !!! Skipping...`, addr);
    return;
  }
  const peer = { pos: s.pos, address: normaliseAddr(addr, fam as IpFamily), minTtl: 0, maxTtl: 255 };
  for (let i = 1; i < w.length; i += 2) {
    const opt = w[i] as string;
    const val = w[i + 1];
    if (val === undefined) {
      p.diag.error(s.pos, `(${v.name}) ${opt} is missing a value`, addr);
      break;
    }
    // keepalived ignores an option whose value is not a TTL without a word.
    if (!/^\d+$/.test(val) || Number(val) > 255) continue;
    if (opt === 'min_ttl') peer.minTtl = Number(val);
    else if (opt === 'max_ttl') peer.maxTtl = Number(val);
    else {
      p.diag.error(s.pos, `(${v.name}) unknown unicast_peer option ${opt}`, addr);
      break;
    }
    // A TTL range only makes sense if the source is checked against the peers.
    v.checkUnicastSrc = true;
  }
  if (peer.minTtl > peer.maxTtl) {
    p.diag.error(s.pos, `(${v.name}) min_ttl ${peer.minTtl} > max_ttl ${peer.maxTtl} - all packets will be discarded`, addr);
  }
  v.unicastPeers.push(peer);
}

function transportKeywords(v: VrrpInstance, pend: InstancePending, ttlGiven: () => void): KeywordTable {
  const n = v.name;
  const unicast = (): void => { v.unicastConfigured = true; };
  return {
    mcast_src_ip: (s, p) => sourceAddress(s, p, v, pend),
    unicast_src_ip: (s, p) => { unicast(); sourceAddress(s, p, v, pend); },
    mcast_dst_ip: (s, p) => {
      if (!needArg(s, p)) return;
      const w = s.words[1] as string;
      const fam = isIP(w) as 0 | IpFamily;
      if (fam === 0) {
        p.diag.error(s.pos, `(${n}) malformed mcast dest address ${w}. Skipping...`, s.words[0]);
        return;
      }
      pend.family ??= fam;
      if (fam !== pend.family) {
        p.diag.error(s.pos, `(${n}) mcast dest address ${w} MUST match VRRP instance family. Skipping...`, s.words[0]);
        return;
      }
      if (!isMcast(w, fam)) {
        p.diag.error(s.pos, `(${n}) mcast_dst_ip ${w} not${fam === 6 ? ' link-local' : ''} multicast. Skipping...`, s.words[0]);
        return;
      }
      v.mcastDstIp = normaliseAddr(w, fam);
    },
    track_src_ip: () => { v.trackSrcIp = true; },
    unicast_peer: (s, p) => {
      unicast();
      pend.unicastPeerPos ??= s.pos;
      return linesBlock((ls) => unicastPeerLine(ls, p, v, pend));
    },
    unicast_ttl: (s, p) => {
      if (!needArg(s, p)) return;
      const t = readInt(s, p, 1, 0, 255);
      if (t === undefined) {
        p.diag.error(s.pos, `(${n}): TTL '${s.words[1]}' not valid - must be between 0 & 255`, s.words[0]);
        return;
      }
      v.unicastTtl = t;
      ttlGiven();
    },
    unicast_fault_no_peer: () => { unicast(); v.unicastFaultNoPeer = true; },
    check_unicast_src: () => { unicast(); v.checkUnicastSrc = true; },
    old_unicast_checksum: (s, p) => {
      unicast();
      const mode = s.words[1];
      if (mode === undefined) v.oldUnicastChecksum = 'config';
      else if (mode === 'never') v.oldUnicastChecksum = 'never';
      else p.diag.error(s.pos, `(${n}) Unknown old_unicast_chksum mode ${mode} - ignoring`, s.words[0]);
    },
    v3_checksum_as_v2: (s, p) => {
      p.diag.warn(s.pos, "'v3_checksum_as_v2' is not known to keepalived 2.2.7, which would reject this file; halb accepts it", s.words[0]);
      const b = optBool(s, p, (w) => `(${n}) invalid v3_checksum_as_v2 ${w} specified`);
      if (b !== undefined) v.v3ChecksumAsV2 = b;
    },
    kernel_rx_buf_size: (s, p) => {
      const size = s.words.length === 2 && /^\d+$/.test(s.words[1] as string) ? Number(s.words[1]) : Number.NaN;
      if (!(size >= 0 && size <= 4294967295)) p.diag.error(s.pos, `(${n}) invalid kernel_rx_buf_size specified`, s.words[0]);
      else v.kernelRxBufSize = size;
    },
    vrf: (s, p) => {
      if (!needArg(s, p)) return;
      const name = s.words[1] as string;
      if (name.length >= IFNAMSIZ) p.diag.error(s.pos, `(${n}) VRF interface name '${name}' too long - ignoring`, s.words[0]);
      else if (v.interface !== undefined) p.diag.error(s.pos, `(${n}) Cannot specify VRF interface and interface - ignoring`, s.words[0]);
      else if (v.vrf !== undefined) p.diag.error(s.pos, `(${n}) VRF interface already specified as '${v.vrf}' - ignoring`, s.words[0]);
      else if (name === 'lo') p.diag.error(s.pos, `(${n}) cannot use a loopback interface (${name}) for VRF - ignoring`, s.words[0]);
      else v.vrf = name;
    },
  };
}

export function instanceNetKeywords(
  cfg: KeepalivedConfig, v: VrrpInstance, pend: InstancePending, priorities: RulePriorities, ttlGiven: () => void,
): KeywordTable {
  return { ...addressKeywords(cfg, v, pend, priorities), ...transportKeywords(v, pend, ttlGiven) };
}
