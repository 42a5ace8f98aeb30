// vrrp_instance keywords for GARP timing, behaviour flags, VMAC/IPVLAN and notifications
// (keepalived/vrrp/vrrp_parser.c).
import { isIP } from 'node:net';
import type { Stmt } from '../lexer.js';
import type { KeepalivedConfig } from '../model/index.js';
import type { VrrpInstance } from '../model/vrrp.js';
import type { KeywordTable, Parser } from '../parser.js';
import { readInt } from '../readers.js';
import { needArg, optBool } from './kw-util.js';
import { notifyKeywords } from './notify.js';
import { instancePending, type InstancePending } from './pending.js';

const UINT_MAX = 4294967295;
const UINT_MAX_S = 4294;
const IFNAMSIZ = 16;

function garpKeywords(v: VrrpInstance, pend: InstancePending): KeywordTable {
  const n = v.name;
  const count = (ks: Stmt, kp: Parser, what: string, set: (c: number) => void): void => {
    if (!needArg(ks, kp)) return;
    const c = readInt(ks, kp, 1, 0, UINT_MAX);
    if (c === undefined) {
      kp.diag.error(ks.pos, `(${n}): ${what} '${ks.words[1]}' invalid - ignoring`, ks.words[0]);
      return;
    }
    if (c === 0) kp.diag.error(ks.pos, `(${n}): ${what} must be greater than 0, setting to 1`, ks.words[0]);
    set(Math.max(1, c));
  };
  const extraIf = (s: Stmt, p: Parser): void => {
    const kw = s.words[0] as string;
    if (kw === 'vmac_garp_intvl') p.diag.error(s.pos, 'Keyword "vmac_garp_intvl" is deprecated - please use "garp_extra_if"', kw);
    let secs: number | undefined;
    for (let i = 1; i < s.words.length; i++) {
      if (s.words[i] === 'all') {
        v.garp.extraIfAll = true;
        continue;
      }
      const d = readInt(s, p, i, 0, 86400);
      if (d === undefined) {
        p.diag.error(s.pos, `(${n}): ${kw} '${s.words[i]}' invalid - ignoring`, kw);
        return;
      }
      secs = d;
    }
    if (secs === undefined) p.diag.error(s.pos, `(${n}): ${kw} specified without time - ignoring`, kw);
    else v.garp.extraIfIntervalMs = secs * 1000;
  };
  return {
    garp_master_delay: (s, p) => {
      if (!needArg(s, p)) return;
      const d = readInt(s, p, 1, 0, UINT_MAX_S);
      if (d === undefined) p.diag.error(s.pos, `(${n}): garp_master_delay '${s.words[1]}' invalid - ignoring`, s.words[0]);
      else v.garp.masterDelayMs = d * 1000;
    },
    garp_master_refresh: (s, p) => {
      if (!needArg(s, p)) return;
      const d = readInt(s, p, 1, 0, UINT_MAX);
      if (d === undefined) p.diag.error(s.pos, `(${n}): Invalid garp_master_refresh '${s.words[1]}' - ignoring`, s.words[0]);
      v.garp.masterRefreshMs = (d ?? 0) * 1000;
    },
    garp_master_repeat: (s, p) => count(s, p, 'garp_master_repeat', (c) => { v.garp.masterRepeat = c; }),
    garp_master_refresh_repeat: (s, p) => count(s, p, 'garp_master_refresh_repeat', (c) => { v.garp.masterRefreshRepeat = c; }),
    garp_lower_prio_delay: (s, p) => {
      if (!needArg(s, p)) return;
      const d = readInt(s, p, 1, 0, UINT_MAX_S);
      if (d === undefined) p.diag.error(s.pos, `(${n}): garp_lower_prio_delay '${s.words[1]}' invalid - ignoring`, s.words[0]);
      else pend.garpLowerPrioDelayMs = d * 1000;
    },
    garp_lower_prio_repeat: (s, p) => {
      if (!needArg(s, p)) return;
      const c = readInt(s, p, 1, 0, 2147483647);
      if (c === undefined) p.diag.error(s.pos, `(${n}): Invalid garp_lower_prio_repeat '${s.words[1]}'`, s.words[0]);
      else pend.garpLowerPrioRepeat = c;
    },
    garp_extra_if: extraIf,
    vmac_garp_intvl: extraIf,
  };
}

function flagKeywords(cfg: KeepalivedConfig, v: VrrpInstance, pend: InstancePending): KeywordTable {
  const n = v.name;
  const flag = (name: string, set: (b: boolean) => void) => (s: Stmt, p: Parser): void => {
    const b = optBool(s, p, (w) => `(${n}) invalid ${name} ${w} specified`);
    if (b !== undefined) set(b);
  };
  const newer = (s: Stmt, p: Parser): void => {
    p.diag.warn(s.pos, `'${s.words[0]}' is not known to keepalived 2.2.7, which would reject this file; halb accepts it`, s.words[0]);
  };
  return {
    skip_check_adv_addr: flag('skip_check_adv_addr', (b) => { v.skipCheckAdvAddr = b; }),
    strict_mode: flag('strict_mode', (b) => { pend.strictMode = b; }),
    lower_prio_no_advert: flag('lower_prio_no_advert', (b) => { pend.lowerPrioNoAdvert = b; }),
    higher_prio_send_advert: flag('higher_prio_send_advert', (b) => { pend.higherPrioSendAdvert = b; }),
    accept: () => { pend.accept = true; },
    no_accept: () => { pend.accept = false; },
    down_timer_adverts: (s, p) => {
      if (!needArg(s, p)) return;
      const d = readInt(s, p, 1, 1, 100);
      if (d === undefined) p.diag.error(s.pos, `(${n}): Invalid down_timer_adverts [1:100] '${s.words[1]}'`, s.words[0]);
      else pend.downTimerAdverts = d;
    },
    debug: (s, p) => {
      if (!needArg(s, p)) return;
      const d = readInt(s, p, 1, 0, 4);
      if (d === undefined) p.diag.error(s.pos, `(${n}) Debug value '${s.words[1]}' not valid; must be between 0-4`, s.words[0]);
      else v.debug = d;
    },
    linkbeat_use_polling: (s, p) => {
      v.linkbeatUsePolling = true;
      p.diag.error(s.pos, `(${n}) 'linkbeat_use_polling' in vrrp instance deprecated - use linkbeat_interfaces block`, s.words[0]);
    },
    lvs_sync_daemon_interface: (s, p) => {
      if (!needArg(s, p)) return;
      p.diag.error(s.pos, `(${n}) Specifying lvs_sync_daemon_interface against a vrrp is deprecated.`, s.words[0]);
      p.diag.error(s.pos, `      ${' '.repeat(Math.max(0, n.length - 2))}Please use global lvs_sync_daemon`, s.words[0]);
      const g = cfg.global;
      if (g.lvsSyncDaemon !== undefined) {
        p.diag.error(s.pos, `(${n}) lvs_sync_daemon_interface has already been specified as ${g.lvsSyncDaemon.interface} - ignoring`, s.words[0]);
        return;
      }
      v.lvsSyncDaemonInterface = s.words[1] as string;
      g.lvsSyncDaemon = { interface: v.lvsSyncDaemonInterface, instance: n, port: 8848, group: '224.0.0.81' };
    },
    owner_ignore_adverts: (s, p) => {
      newer(s, p);
      v.ownerIgnoreAdverts = true;
    },
    timer_expired_backup: (s, p) => {
      newer(s, p);
      if (s.words[1] === undefined) {
        v.timerExpiredBackup = 254;
        return;
      }
      const prio = readInt(s, p, 1, 1, 254);
      if (prio === undefined) p.diag.error(s.pos, `(${n}) timer_expired _backup highest_other_priority not valid! must be between 1 & 254`, s.words[0]);
      else v.timerExpiredBackup = prio;
    },
  };
}

function vmacKeywords(cfg: KeepalivedConfig, v: VrrpInstance, pend: InstancePending): KeywordTable {
  const n = v.name;
  const nameTaken = (name: string, p: Parser, s: Stmt): boolean => {
    const other = cfg.vrrpInstances.find((o) => o.vmac?.name === name || o.ipvlan?.name === name);
    if (other !== undefined) p.diag.error(s.pos, `(${n}) VRRP instance ${other.name} is already using ${name} - ignoring name`, s.words[0]);
    return other !== undefined;
  };
  return {
    use_vmac: (s, p) => {
      const vm = v.vmac ?? { netlinkNotifyMsg: false, xmitBase: false };
      v.vmac = vm;
      for (let i = 1; i < s.words.length; i++) {
        const w = s.words[i] as string;
        if (w.includes(':')) {
          if (vm.mac !== undefined) p.diag.error(s.pos, 'VMAC interface address already specified', s.words[0]);
          else if (!/^[0-9A-Fa-f]{1,2}(:[0-9A-Fa-f]{1,2}){4,5}:?$/.test(w)) p.diag.error(s.pos, `VMAC invalid MAC address ${w} - ignored`, s.words[0]);
          else if ((Number.parseInt(w.split(':')[0] as string, 16) & 1) === 1) p.diag.error(s.pos, `VMAC MAC address is multicast ${w} - ignoring`, s.words[0]);
          else vm.mac = w.toLowerCase();
          continue;
        }
        if (w === 'netlink_notify_msg') { vm.netlinkNotifyMsg = true; continue; }
        if (w === 'group') { const g = s.words[++i]; if (g !== undefined) vm.group = g; continue; }
        const ifname = w === 'name' ? s.words[++i] : w;
        if (ifname === undefined) continue;
        if (vm.name !== undefined) p.diag.error(s.pos, 'VMAC interface name already specified', s.words[0]);
        else if (ifname.length >= IFNAMSIZ || ifname === '.' || ifname === '..' || /[/:\s]/.test(ifname)) {
          p.diag.error(s.pos, `VMAC interface name '${ifname}' too long or invalid characters - ignoring`, s.words[0]);
        } else if (!nameTaken(ifname, p, s)) vm.name = ifname;
      }
    },
    use_vmac_addr: () => { v.useVmacAddr = true; },
    vmac_xmit_base: () => { pend.vmacXmitBase = true; },
    use_ipvlan: (s, p) => {
      if (v.ipvlan !== undefined) {
        p.diag.error(s.pos, `(${n}) use_ipvlan already specified`, s.words[0]);
        return;
      }
      const ip: NonNullable<VrrpInstance['ipvlan']> = { mode: 'bridge' };
      let modeSet = false;
      for (let i = 1; i < s.words.length; i++) {
        const w = s.words[i] as string;
        if (w === 'bridge' || w === 'private' || w === 'vepa') {
          if (modeSet) p.diag.error(s.pos, `(${n}) ipvlan type already specified - ignoring '${w}'`, s.words[0]);
          else { ip.mode = w; modeSet = true; }
          continue;
        }
        if (w === 'group') { const g = s.words[++i]; if (g !== undefined) ip.group = g; continue; }
        const fam = isIP(w.split('/')[0] as string);
        if (fam !== 0) {
          if (ip.address !== undefined) p.diag.error(s.pos, `(${n}) ipvlan address already specified - ignoring '${w}'`, s.words[0]);
          else ip.address = w;
          const pnd = instancePending(v);
          pnd.family ??= fam as 4 | 6;
          continue;
        }
        const ifname = w === 'name' ? s.words[++i] : w;
        if (ifname === undefined) continue;
        if (ip.name !== undefined) p.diag.error(s.pos, `(${n}) IPVLAN interface already specified - ignoring '${ifname}'`, s.words[0]);
        else if (ifname.length >= IFNAMSIZ) p.diag.error(s.pos, `(${n}) IPVLAN interface name '${ifname}' too long - ignoring`, s.words[0]);
        else if (!nameTaken(ifname, p, s)) ip.name = ifname;
      }
      v.ipvlan = ip;
    },
  };
}

export function instanceMiscKeywords(cfg: KeepalivedConfig, v: VrrpInstance, pend: InstancePending): KeywordTable {
  return {
    ...garpKeywords(v, pend),
    ...flagKeywords(cfg, v, pend),
    ...vmacKeywords(cfg, v, pend),
    ...notifyKeywords({
      kind: 'instance', name: () => v.name, notify: v.notify,
      setSmtpAlert: (b) => { pend.smtpAlert = b; },
      setNotifyPriorityChanges: (b) => { pend.notifyPriorityChanges = b; },
    }),
  };
}
