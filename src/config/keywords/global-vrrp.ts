// global_defs keywords for VRRP defaults, GARP timing, the firewall (nftables; Debian's
// 2.2.7 has no iptables), LVS globals and notify FIFOs (keepalived/core/global_parser.c).
import { isIP } from 'node:net';
import type { GlobalDefs, NotifyFifo } from '../model/global.js';
import type { KeywordTable, Parser } from '../parser.js';
import type { Stmt } from '../lexer.js';
import { normaliseAddr, readDecimalFixed, readInt } from '../readers.js';
import { needArg, optBool, scriptValue, secondsToMs, userGroup } from './kw-util.js';
import { globalPending } from './pending.js';
import { lvsGlobalKeywords } from './global-lvs.js';

const UINT_MAX = 4294967295;
const UINT_MAX_S = 4294; // UINT_MAX / TIMER_HZ
const NFT_TABLE_MAXNAMELEN = 256;

function flag(set: (v: boolean) => void, bad: (w: string) => string) {
  return (s: Stmt, p: Parser): void => {
    const v = optBool(s, p, bad);
    if (v !== undefined) set(v);
  };
}

function mcastGroup(s: Stmt, p: Parser, family: 4 | 6): string | undefined {
  if (!needArg(s, p)) return undefined;
  const w = s.words[1] as string;
  const fam = isIP(w);
  if (fam === 0) {
    p.diag.error(s.pos, `Configuration error: Cant parse ${s.words[0]} [${w}]. Skipping`, s.words[0]);
    return undefined;
  }
  if (fam !== family) {
    p.diag.error(s.pos, `${s.words[0]} [${w}] is not IPv${family}. Skipping`, s.words[0]);
    return undefined;
  }
  return normaliseAddr(w, family);
}

/** `KEYWORD N` for an unsigned count, with keepalived's "must be greater than 0" fix-up. */
function repeatValue(s: Stmt, p: Parser, name: string): number | undefined {
  if (!needArg(s, p)) return undefined;
  const v = readInt(s, p, 1, 0, UINT_MAX);
  if (v === undefined) {
    p.diag.error(s.pos, `${name} '${s.words[1]}' invalid - ignoring`, s.words[0]);
    return undefined;
  }
  if (v === 0) p.diag.error(s.pos, `${name} must be greater than 0, setting to 1`, s.words[0]);
  return Math.max(1, v);
}

/** vrrp_garp_interval / vrrp_gna_interval: a fraction of a second, at least 1 µs. */
function garpInterval(s: Stmt, p: Parser): number | undefined {
  if (!needArg(s, p)) return undefined;
  const v = readDecimalFixed(s, p, 1, 0.000001, 4294.967295);
  if (v === undefined) {
    p.diag.error(s.pos, `${s.words[0]} '${s.words[1]}' is invalid`, s.words[0]);
    return undefined;
  }
  return secondsToMs(v);
}

function fifo(type: '' | 'vrrp_' | 'lvs_', f: NotifyFifo): KeywordTable {
  return {
    [`${type}notify_fifo`]: (s, p) => {
      if (s.words.length < 2) {
        p.diag.error(s.pos, `No ${type}notify_fifo name specified`, s.words[0]);
        return;
      }
      if (f.path !== undefined) {
        p.diag.error(s.pos, `${type}notify_fifo already specified - ignoring ${s.words[1]}`, s.words[0]);
        return;
      }
      f.path = s.words[1];
      const ug = userGroup(s.words.slice(2));
      if (ug !== undefined) {
        f.user = ug.user;
        if (ug.group !== undefined) f.group = ug.group;
      }
    },
    [`${type}notify_fifo_script`]: (s, p) => {
      if (s.words.length < 2) {
        p.diag.error(s.pos, `No ${type}notify_fifo_script specified`, s.words[0]);
        return;
      }
      if (f.script !== undefined) {
        p.diag.error(s.pos, `${type}notify_fifo_script already specified - ignoring ${s.words[1]}`, s.words[0]);
        return;
      }
      const v = scriptValue(s, p);
      if (v !== undefined) f.script = v;
    },
  };
}

function garpKeywords(g: GlobalDefs): KeywordTable {
  const pend = globalPending(g);
  const delay = (set: (ms: number) => void) => (s: Stmt, p: Parser): void => {
    if (!needArg(s, p)) return;
    const v = readInt(s, p, 1, 0, UINT_MAX_S);
    if (v === undefined) p.diag.error(s.pos, `${s.words[0]} '${s.words[1]}' invalid - ignoring`, s.words[0]);
    else set(v * 1000);
  };
  const extraIf = (s: Stmt, p: Parser): void => {
    const kw = s.words[0] as string;
    if (kw === 'vrrp_vmac_garp_intvl') {
      p.diag.error(s.pos, 'Keyword "vrrp_vmac_garp_intvl" is deprecated - please use "vrrp_garp_extra_if"', kw);
    }
    let secs = 0;
    let all = false;
    for (let i = 1; i < s.words.length; i++) {
      if (s.words[i] === 'all') { all = true; continue; }
      const v = readInt(s, p, i, 1, 86400);
      if (v === undefined) {
        p.diag.error(s.pos, `${kw} '${s.words[i]}' invalid - ignoring`, kw);
        return;
      }
      secs = v;
    }
    if (all) g.vrrpGarpExtraIfAll = true;
    if (secs === 0) {
      p.diag.error(s.pos, `${kw} specified without time - ignoring`, kw);
      return;
    }
    g.vrrpGarpExtraIfIntervalMs = secs * 1000;
  };
  return {
    vrrp_garp_master_delay: delay((ms) => { g.vrrpGarpMasterDelayMs = ms; }),
    vrrp_garp_master_repeat: (s, p) => {
      const v = repeatValue(s, p, 'vrrp_garp_master_repeat');
      if (v !== undefined) g.vrrpGarpMasterRepeat = v;
    },
    vrrp_garp_master_refresh: (s, p) => {
      if (!needArg(s, p)) return;
      const v = readInt(s, p, 1, 0, UINT_MAX);
      if (v === undefined) p.diag.error(s.pos, `Invalid vrrp_garp_master_refresh '${s.words[1]}' - ignoring`, s.words[0]);
      g.vrrpGarpMasterRefreshMs = (v ?? 0) * 1000;
    },
    vrrp_garp_master_refresh_repeat: (s, p) => {
      const v = repeatValue(s, p, 'vrrp_garp_master_refresh_repeat');
      if (v !== undefined) g.vrrpGarpMasterRefreshRepeat = v;
    },
    vrrp_garp_lower_prio_delay: delay((ms) => { g.vrrpGarpLowerPrioDelayMs = ms; pend.lowerPrioDelaySet = true; }),
    vrrp_garp_lower_prio_repeat: (s, p) => {
      if (!needArg(s, p)) return;
      const v = readInt(s, p, 1, 0, 2147483647);
      if (v === undefined) {
        p.diag.error(s.pos, `Invalid vrrp_garp_lower_prio_repeat '${s.words[1]}'`, s.words[0]);
        return;
      }
      g.vrrpGarpLowerPrioRepeat = v;
      pend.lowerPrioRepeatSet = true;
    },
    vrrp_garp_interval: (s, p) => {
      const v = garpInterval(s, p);
      if (v !== undefined) g.vrrpGarpIntervalMs = v;
    },
    vrrp_gna_interval: (s, p) => {
      const v = garpInterval(s, p);
      if (v !== undefined) g.vrrpGnaIntervalMs = v;
    },
    vrrp_min_garp: (s, p) => {
      const v = optBool(s, p, () => 'Invalid value for vrrp_min_garp specified');
      if (v !== true) return;
      // One GARP, no repeat and no second burst, without overriding values already set.
      g.vrrpMinGarp = true;
      if (g.vrrpGarpMasterRepeat === 5) g.vrrpGarpMasterRepeat = 1;
      if (g.vrrpGarpMasterRefreshRepeat === 1) g.vrrpGarpMasterRefreshRepeat = 0;
      if (g.vrrpGarpMasterDelayMs === 5000) g.vrrpGarpMasterDelayMs = 0;
    },
    vrrp_garp_extra_if: extraIf,
    vrrp_vmac_garp_intvl: extraIf,
  };
}

function firewallKeywords(g: GlobalDefs): KeywordTable {
  return {
    // Debian's 2.2.7 is built with nftables only: vrrp_iptables falls back to it.
    vrrp_iptables: (s, p) => {
      p.diag.error(s.pos, "iptables not supported, using nftables instead. Please replace 'vrrp_iptables and 'vrrp_ipsets' with 'nftables' config option", s.words[0]);
      g.nftables = { table: 'keepalived', priority: -1, ifindex: g.nftables?.ifindex ?? false };
    },
    nftables: (s, p) => {
      if (g.nftables !== undefined) {
        p.diag.error(s.pos, 'nftables already specified - ignoring', s.words[0]);
        return;
      }
      const name = s.words[1] ?? 'keepalived';
      if (name.length >= NFT_TABLE_MAXNAMELEN) {
        p.diag.error(s.pos, 'nftables table name too long - ignoring', s.words[0]);
        return;
      }
      g.nftables = { table: name, priority: -1, ifindex: false };
    },
    nftables_priority: (s, p) => {
      const w = s.words[1] ?? '';
      if (!/^[-+]?\d+$/.test(w) || Number(w) < -2147483648 || Number(w) > 2147483647) {
        p.diag.error(s.pos, `invalid nftables chain priority '${w}'`, s.words[0]);
        return;
      }
      g.nftables = { table: g.nftables?.table ?? 'keepalived', priority: Number(w), ifindex: g.nftables?.ifindex ?? false };
    },
    nftables_ifindex: () => {
      g.nftables = { table: g.nftables?.table ?? 'keepalived', priority: g.nftables?.priority ?? -1, ifindex: true };
    },
    nftables_counters: () => { g.nftablesCounters = true; },
  };
}

function vrrpDefaultKeywords(g: GlobalDefs): KeywordTable {
  return {
    vrrp_mcast_group4: (s, p) => {
      const v = mcastGroup(s, p, 4);
      if (v !== undefined) g.vrrpMcastGroup4 = v;
    },
    vrrp_mcast_group6: (s, p) => {
      const v = mcastGroup(s, p, 6);
      if (v !== undefined) g.vrrpMcastGroup6 = v;
    },
    default_interface: (s, p) => {
      if (s.words.length < 2) p.diag.error(s.pos, 'default_interface requires interface name', s.words[0]);
      else g.defaultInterface = s.words[1];
    },
    vrrp_version: (s, p) => {
      if (!needArg(s, p)) return;
      const v = readInt(s, p, 1, 2, 3);
      if (v === undefined) p.diag.error(s.pos, 'VRRP Error: Version must be either 2 or 3', s.words[0]);
      else g.vrrpVersion = v as 2 | 3;
    },
    vrrp_down_timer_adverts: (s, p) => {
      if (!needArg(s, p)) return;
      const v = readInt(s, p, 1, 1, 100);
      if (v === undefined) p.diag.error(s.pos, `Invalid vrrp_down_timer_adverts [1:100] '${s.words[1]}'`, s.words[0]);
      else g.vrrpDownTimerAdverts = v;
    },
    vrrp_lower_prio_no_advert: flag((v) => { g.vrrpLowerPrioNoAdvert = v; }, () => 'Invalid value for vrrp_lower_prio_no_advert specified'),
    vrrp_higher_prio_send_advert: flag((v) => { g.vrrpHigherPrioSendAdvert = v; }, () => 'Invalid value for vrrp_higher_prio_send_advert specified'),
    vrrp_check_unicast_src: () => { g.vrrpCheckUnicastSrc = true; },
    vrrp_skip_check_adv_addr: () => { g.vrrpSkipCheckAdvAddr = true; },
    vrrp_strict: () => { g.vrrpStrict = true; },
    vrrp_notify_priority_changes: flag((v) => { g.vrrpNotifyPriorityChanges = v; },
      (w) => `Invalid value '${w}' for global vrrp_notify_priority_changes specified`),
    vrrp_startup_delay: (s, p) => {
      if (!needArg(s, p)) return;
      const v = readDecimalFixed(s, p, 1, 0.000000001, 4294);
      if (v === undefined) p.diag.error(s.pos, `vrrp_startup_delay '${s.words[1]}' is invalid`, s.words[0]);
      else g.vrrpStartupDelayMs = secondsToMs(v);
    },
    log_unknown_vrids: () => { g.logUnknownVrids = true; },
    vmac_prefix: (s, p) => {
      if (!needArg(s, p)) return;
      if (g.vmacPrefix !== undefined) p.diag.error(s.pos, `vmac prefix has already been specified - ignoring ${s.words[1]}`, s.words[0]);
      else g.vmacPrefix = s.words[1];
    },
    vmac_addr_prefix: (s, p) => {
      if (!needArg(s, p)) return;
      if (g.vmacAddrPrefix !== undefined) p.diag.error(s.pos, `vmac_addr prefix has already been specified - ignoring ${s.words[1]}`, s.words[0]);
      else g.vmacAddrPrefix = s.words[1];
    },
    disable_local_igmp: () => { g.disableLocalIgmp = true; },
    dynamic_interfaces: (s, p) => {
      g.dynamicInterfaces = true;
      const w = s.words[1];
      if (w === 'allow_if_changes') g.allowIfChanges = true;
      else if (w !== undefined) p.diag.error(s.pos, `Unknown dynamic_interfaces option '${w}'`, s.words[0]);
    },
    fifo_write_vrrp_states_on_reload: () => { g.fifoWriteVrrpStatesOnReload = true; },
    max_auto_priority: (s, p) => {
      if (s.words.length < 2) {
        g.maxAutoPriority = 99;
        return;
      }
      const v = readInt(s, p, 1, -1, 99);
      if (v === undefined) p.diag.error(s.pos, `max_auto_priority '${s.words[1]}' must be in [0, 99] (or -1 to disable) - ignoring`, s.words[0]);
      else g.maxAutoPriority = v;
    },
    min_auto_priority_delay: (s, p) => {
      if (s.words.length < 2) {
        p.diag.error(s.pos, 'min_auto_priority_delay requires delay time', s.words[0]);
        return;
      }
      const v = readInt(s, p, 1, 1, 10000000);
      if (v === undefined) p.diag.error(s.pos, `min_auto_priority_delay '${s.words[1]}' must be in [1, 10000000] - ignoring`, s.words[0]);
      else g.minAutoPriorityDelayUs = v;
    },
  };
}

export function globalVrrpKeywords(g: GlobalDefs): KeywordTable {
  return {
    ...vrrpDefaultKeywords(g),
    ...garpKeywords(g),
    ...firewallKeywords(g),
    ...lvsGlobalKeywords(g),
    ...fifo('', g.notifyFifo),
    ...fifo('vrrp_', g.vrrpNotifyFifo),
    ...fifo('lvs_', g.lvsNotifyFifo),
  };
}
