// global_defs keywords of the LVS side: the IPVS sync daemon, IPVS timeouts, flushing and
// the nftables table for virtual_server_group fwmarks (keepalived/core/global_parser.c).
import { isIP } from 'node:net';
import { isMulticastAddress } from '../../core/address.js';
import type { GlobalDefs, LvsSyncDaemon } from '../model/global.js';
import type { KeywordTable, Parser } from '../parser.js';
import type { Stmt } from '../lexer.js';
import { normaliseAddr, readInt } from '../readers.js';
import { needArg, optBool } from './kw-util.js';

const LVS_MAX_TIMEOUT = 86400 * 31;
const IP_VS_IFNAME_MAXLEN = 16;

function syncDaemon(g: GlobalDefs, s: Stmt, p: Parser): void {
  if (g.lvsSyncDaemon !== undefined) {
    p.diag.error(s.pos, `lvs_sync_daemon has already been specified as ${g.lvsSyncDaemon.interface} ${g.lvsSyncDaemon.instance ?? ''}`.trimEnd() + ' - ignoring', s.words[0]);
    return;
  }
  const ifname = s.words[1];
  if (ifname === undefined) {
    p.diag.error(s.pos, 'lvs_sync_daemon requires interface', s.words[0]);
    return;
  }
  if (ifname.length >= IP_VS_IFNAME_MAXLEN) {
    p.diag.error(s.pos, `lvs_sync_daemon interface name '${ifname}' too long - ignoring`, s.words[0]);
    return;
  }
  const d: LvsSyncDaemon = { interface: ifname, port: 8848, group: '224.0.0.81' };
  const numeric = (i: number, min: number, max: number, what: string, set: (v: number) => void): void => {
    const v = readInt(s, p, i, min, max);
    if (v === undefined) p.diag.error(s.pos, `Invalid lvs_sync_daemon ${what} (${s.words[i]}) - ignoring`, s.words[0]);
    else set(v);
  };
  for (let i = 2; i < s.words.length; i++) {
    const w = s.words[i] as string;
    const last = i === s.words.length - 1;
    if (w === 'inst' && !needArg(s, p, i + 1)) return;
    if (last && ['id', 'maxlen', 'port', 'ttl', 'group'].includes(w)) {
      p.diag.error(s.pos, w === 'id'
        ? 'No value specified for lvs_sync_daemon id, defaulting to vrid'
        : `No value specified for lvs_sync_daemon ${w} - ignoring`, s.words[0]);
      continue;
    }
    switch (w) {
      case 'inst':
        if (d.instance !== undefined) p.diag.error(s.pos, `lvs_sync_daemon vrrp instance has already been specified as ${d.instance} - ignoring`, s.words[0]);
        else d.instance = s.words[i + 1] as string;
        i++;
        continue;
      case 'id': {
        const v = readInt(s, p, i + 1, 0, 255);
        if (v === undefined) p.diag.error(s.pos, `Invalid syncid (${s.words[i + 1]}) - defaulting to vrid`, s.words[0]);
        else d.syncId = v;
        i++;
        continue;
      }
      case 'maxlen':
        numeric(i + 1, 1, 65535 - 20 - 8, 'maxlen', (v) => { d.maxLen = v; });
        i++;
        continue;
      case 'port':
        numeric(i + 1, 1, 65535, 'port', (v) => { d.port = v; });
        i++;
        continue;
      case 'ttl':
        numeric(i + 1, 1, 255, 'ttl', (v) => { d.ttl = v; });
        i++;
        continue;
      case 'group': {
        const a = s.words[i + 1] as string;
        if (isIP(a) === 0) p.diag.error(s.pos, `Invalid lvs_sync_daemon group (${a}) - ignoring`, s.words[0]);
        else if (!isMulticastAddress(a)) p.diag.error(s.pos, `lvs_sync_daemon group address ${a} is not multicast - ignoring`, s.words[0]);
        else d.group = normaliseAddr(a, isIP(a) as 4 | 6);
        i++;
        continue;
      }
      default:
        break;
    }
    // The old positional form `lvs_sync_daemon IF VRRP_INSTANCE [SYNC_ID]`.
    if (i === 2) {
      d.instance = w;
      continue;
    }
    if (i === 3) {
      const v = readInt(s, p, 3, 0, 255);
      if (v === undefined) p.diag.error(s.pos, `Invalid syncid (${w}) - defaulting to vrid`, s.words[0]);
      else {
        p.diag.error(s.pos, 'Please use keyword "id" before lvs_sync_daemon SYNCID', s.words[0]);
        d.syncId = v;
      }
      continue;
    }
    p.diag.error(s.pos, `Unknown option ${w} specified for lvs_sync_daemon`, s.words[0]);
  }
  g.lvsSyncDaemon = d;
}

function timeouts(g: GlobalDefs, s: Stmt, p: Parser): void {
  if (s.words.length < 3) {
    p.diag.error(s.pos, 'lvs_timeouts requires at least one option', s.words[0]);
    return;
  }
  const names: Record<string, 'tcpS' | 'tcpFinS' | 'udpS'> = { tcp: 'tcpS', tcpfin: 'tcpFinS', udp: 'udpS' };
  for (let i = 1; i < s.words.length; i++) {
    const w = s.words[i] as string;
    const field = names[w];
    if (field === undefined) {
      p.diag.error(s.pos, `Unknown option ${w} specified for lvs_timeouts`, s.words[0]);
      continue;
    }
    if (i === s.words.length - 1) {
      p.diag.error(s.pos, `No value specified for lvs_timeout ${w} - ignoring`, s.words[0]);
      continue;
    }
    const v = readInt(s, p, i + 1, 0, LVS_MAX_TIMEOUT);
    if (v === undefined) p.diag.error(s.pos, `Invalid lvs_timeout ${w} (${s.words[i + 1]}) - ignoring`, s.words[0]);
    else g.lvsTimeouts[field] = v;
    i++;
  }
}

export function lvsGlobalKeywords(g: GlobalDefs): KeywordTable {
  const flushOnStop = (s: Stmt, p: Parser): void => {
    const w = s.words[1];
    if (w === undefined) g.lvsFlushOnStop = 'full';
    else if (w === 'VS') g.lvsFlushOnStop = 'vs';
    else p.diag.error(s.pos, `Unknown lvs_flush_on_stop type ${w}`, s.words[0]);
  };
  return {
    lvs_sync_daemon: (s, p) => syncDaemon(g, s, p),
    lvs_timeouts: (s, p) => timeouts(g, s, p),
    lvs_flush: () => { g.lvsFlush = true; },
    lvs_flush_on_stop: flushOnStop,
    lvs_flush_onstop: flushOnStop,
    rs_init_notifies: (s, p) => {
      const v = optBool(s, p, (w) => `Invalid value '${w}' for global rs_init_notifies specified`);
      if (v !== undefined) g.rsInitNotifies = v;
    },
    nftables_ipvs: (s, p) => {
      if (g.nftablesIpvs !== undefined) {
        p.diag.error(s.pos, 'ipvs nftables already specified - ignoring', s.words[0]);
        return;
      }
      const name = s.words[1] ?? 'keepalived_ipvs';
      if (name.length >= 256) {
        p.diag.error(s.pos, 'ipvs nftables table name too long - ignoring', s.words[0]);
        return;
      }
      g.nftablesIpvs = { table: name, priority: -1, startFwmark: 1000 };
    },
    nftables_ipvs_priority: (s, p) => {
      const w = s.words[1] ?? '';
      if (!/^[-+]?\d+$/.test(w) || Math.abs(Number(w)) > 2147483648) {
        p.diag.error(s.pos, `invalid ipvs nftables chain priority '${w}'`, s.words[0]);
        return;
      }
      g.nftablesIpvs = { table: g.nftablesIpvs?.table ?? 'keepalived_ipvs', priority: Number(w), startFwmark: g.nftablesIpvs?.startFwmark ?? 1000 };
    },
    nftables_ipvs_start_fwmark: (s, p) => {
      const w = s.words[1] ?? '';
      if (!/^\d+$/.test(w) || Number(w) < 1 || Number(w) > 4294967295) {
        p.diag.error(s.pos, `invalid ipvs nftables start_fwmark priority '${w}'`, s.words[0]);
        return;
      }
      g.nftablesIpvs = { table: g.nftablesIpvs?.table ?? 'keepalived_ipvs', priority: g.nftablesIpvs?.priority ?? -1, startFwmark: Number(w) };
    },
  };
}
