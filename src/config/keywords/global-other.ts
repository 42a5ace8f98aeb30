// global_defs tuning knobs halb accepts and carries verbatim (GlobalDefs.other): process
// scheduling, netlink and socket buffers. They are checked as keepalived checks them.
// Also the keywords newer keepalived knows but Debian's 2.2.7 calls unknown: accepted,
// with a warning that keepalived 2.2.7 would reject the file.
import type { GlobalDefs } from '../model/global.js';
import type { KeywordTable, Parser } from '../parser.js';
import type { Stmt } from '../lexer.js';
import { readInt } from '../readers.js';
import { optBool } from './kw-util.js';

type Check = (s: Stmt, p: Parser) => boolean;

const processPriority = (proc: string): Check => (s, p) => {
  if (s.words.length < 2) {
    p.diag.error(s.pos, `No ${proc} process priority specified`, s.words[0]);
    return false;
  }
  if (readInt(s, p, 1, -20, 19) === undefined) {
    p.diag.error(s.pos, `Invalid ${proc} process priority specified`, s.words[0]);
    return false;
  }
  return true;
};

const rtPriority = (proc: string): Check => (s, p) => {
  const w = s.words[1];
  if (w === undefined) {
    p.diag.error(s.pos, `No ${proc} process real-time priority specified`, s.words[0]);
    return false;
  }
  if (!/^[-+]?\d+$/.test(w)) {
    p.diag.error(s.pos, `invalid number '${w}'`, s.words[0]);
    p.diag.error(s.pos, `${proc} process real-time priority '${w}' invalid`, s.words[0]);
    return false;
  }
  const v = Number(w);
  if (v < 1) p.diag.error(s.pos, `${proc} process real-time priority ${v} less than minimum 1 - setting to minimum`, s.words[0]);
  else if (v > 99) p.diag.error(s.pos, `${proc} process real-time priority ${v} greater than maximum 99 - setting to maximum`, s.words[0]);
  return true;
};

const cpuAffinity = (proc: string): Check => (s, p) => {
  if (s.words.length < 2) {
    p.diag.error(s.pos, `No ${proc} cpu_id set specified`, s.words[0]);
    return false;
  }
  for (let i = 1; i < s.words.length; i++) {
    const v = readInt(s, p, i, 0, 4095);
    if (v === undefined) {
      p.diag.error(s.pos, `Invalid cpu_id:${s.words[i]} specified for ${proc} process`, s.words[0]);
      return false;
    }
  }
  return true;
};

const rtLimit = (proc: string): Check => (s, p) => {
  if (readInt(s, p, 1, 1, 4294967295) === undefined) {
    p.diag.error(s.pos, `Invalid ${proc} real-time limit - ${s.words[1] ?? ''}`, s.words[0]);
    return false;
  }
  return true;
};

const rcvBufs = (type: string): Check => (s, p) => {
  if (s.words.length < 2) {
    p.diag.error(s.pos, `${type}_rcv_bufs size missing`, s.words[0]);
    return false;
  }
  if (readInt(s, p, 1, 0, 4294967295) === undefined) {
    p.diag.error(s.pos, `${type}_rcv_bufs size (${s.words[1]}) invalid`, s.words[0]);
    return false;
  }
  return true;
};

const globalBool: Check = (s, p) =>
  optBool(s, p, (w) => `Invalid value '${w}' for global ${s.words[0]} specified`) !== undefined;

const rxBufsPolicy: Check = (s, p) => {
  if (s.words.length < 2) {
    p.diag.error(s.pos, 'vrrp_rx_bufs_policy missing', s.words[0]);
    return false;
  }
  let size = false;
  let mtu = false;
  let advert = false;
  for (let i = 1; i < s.words.length; i++) {
    const w = (s.words[i] as string).toUpperCase();
    if (w === 'MTU') mtu = true;
    else if (w === 'ADVERT') advert = true;
    else if (/^\d+$/.test(w)) size = true;
    else p.diag.error(s.pos, `Invalid vrrp_rx_bufs_policy ${s.words[i]}`, s.words[0]);
  }
  if (size && (mtu || advert)) p.diag.error(s.pos, 'Cannot set vrrp_rx_bufs_policy size and policy, ignoring policy', s.words[0]);
  else if (mtu && advert) p.diag.error(s.pos, 'Cannot set both vrrp_rx_bufs_policy MTU and ADVERT, ignoring ADVERT', s.words[0]);
  return true;
};

const rxBufsMultiplier: Check = (s, p) => {
  if (s.words.length !== 2) {
    p.diag.error(s.pos, 'Invalid vrrp_rx_bufs_multiplier', s.words[0]);
    return false;
  }
  if (readInt(s, p, 1, 1, 4294967295) === undefined) {
    p.diag.error(s.pos, `Invalid vrrp_rx_bufs_multiplier ${s.words[1]}`, s.words[0]);
    return false;
  }
  return true;
};

const any: Check = () => true;

/** Keywords of keepalived after 2.2.7 (see reference/keepalived-surface.md), unknown to Debian's build. */
const NEWER_THAN_227 = [
  'use_symlink_paths', 'set_supplementary_groups', 'v3_checksum_as_v2', 'vrrp_owner_ignore_adverts',
  'vrrp_delay_after_boot', 'snmp_vs_stats_update_interval', 'snmp_rs_stats_update_interval',
  'dbus_no_interface_name', 'state_dump_file', 'stats_dump_file', 'json_dump_file', 'json_version',
  'iproute_usr_dir', 'iproute_etc_dir',
];

export function globalOtherKeywords(g: GlobalDefs): KeywordTable {
  const keep = (check: Check) => (s: Stmt, p: Parser): void => {
    if (check(s, p)) g.other.push({ keyword: s.words[0] as string, args: s.words.slice(1), pos: s.pos });
  };
  const table: Record<string, (s: Stmt, p: Parser) => void> = {};
  for (const proc of ['vrrp', 'checker', 'bfd']) {
    table[`${proc}_priority`] = keep(processPriority(proc));
    table[`${proc}_no_swap`] = keep(any);
    table[`${proc}_rt_priority`] = keep(rtPriority(proc));
    table[`${proc}_cpu_affinity`] = keep(cpuAffinity(proc));
    table[`${proc}_rlimit_rttime`] = keep(rtLimit(proc));
    // Deprecated spelling; keepalived only logs it.
    table[`${proc}_rlimit_rtime`] = keep(rtLimit(proc));
  }
  for (const type of ['vrrp_netlink_cmd', 'vrrp_netlink_monitor', 'lvs_netlink_cmd', 'lvs_netlink_monitor', 'process_monitor']) {
    table[`${type}_rcv_bufs`] = keep(rcvBufs(type));
    table[`${type}_rcv_bufs_force`] = keep(globalBool);
  }
  table['vrrp_rx_bufs_policy'] = keep(rxBufsPolicy);
  table['vrrp_rx_bufs_multiplier'] = keep(rxBufsMultiplier);
  for (const kw of [...NEWER_THAN_227, 'vrrp_ipsets']) {
    table[kw] = (s, p) => {
      p.diag.warn(s.pos, kw === 'vrrp_ipsets'
        ? "'vrrp_ipsets' is ignored: halb uses nftables (keepalived 2.2.7 as packaged by Debian rejects this keyword)"
        : `'${kw}' is not known to keepalived 2.2.7, which would reject this file; halb accepts it`, kw);
      g.other.push({ keyword: kw, args: s.words.slice(1), pos: s.pos });
    };
  }
  return table;
}
