// `vrrp_instance NAME { ... }` (keepalived/vrrp/vrrp_parser.c, Debian 2.2.7): the block
// and its identity and election keywords. Addresses and transport are in
// vrrp-instance-net.ts, timing, flags and notifications in vrrp-instance-misc.ts.
// Values keepalived derives after the whole file is read (priority from state, version
// from family, advert_int rounding) are settled by validate-vrrp.ts.
import type { GlobalDefs } from '../model/global.js';
import type { KeepalivedConfig } from '../model/index.js';
import { emptyTrackSet } from '../model/trackers.js';
import type { VrrpInstance } from '../model/vrrp.js';
import type { KeywordTable } from '../parser.js';
import { skipBlock, tableBlock } from '../parser.js';
import { readDecimalFixed, readInt } from '../readers.js';
import type { RulePriorities } from './ip-rule.js';
import { needArg } from './kw-util.js';
import { emptyNotify } from './notify.js';
import { instancePending, type InstancePending } from './pending.js';
import { trackKeywords } from './track-refs.js';
import { instanceNetKeywords } from './vrrp-instance-net.js';
import { instanceMiscKeywords } from './vrrp-instance-misc.js';

const IFNAMSIZ = 16;

function newInstance(name: string, pos: VrrpInstance['pos'], g: GlobalDefs): VrrpInstance {
  // keepalived copies the global GARP settings when the instance is allocated, so a
  // global_defs that comes later does not change them.
  return {
    name, pos, state: 'BACKUP', vrid: 0, priority: 0, advertIntMs: 1000, version: 2, family: 4,
    nopreempt: false, preemptDelayMs: 0, downTimerAdverts: 3, strictMode: false, accept: true,
    dontTrackPrimary: false, skipCheckAdvAddr: g.vrrpSkipCheckAdvAddr, lowerPrioNoAdvert: false,
    higherPrioSendAdvert: false, trackSrcIp: false, unicastPeers: [], unicastConfigured: false,
    unicastFaultNoPeer: false, checkUnicastSrc: false, allowNoVips: false, vips: [], evips: [],
    virtualRoutes: [], virtualRules: [], promoteSecondaries: false, track: emptyTrackSet(),
    notify: emptyNotify(), smtpAlert: false, notifyPriorityChanges: false,
    garp: {
      masterDelayMs: g.vrrpGarpMasterDelayMs, masterRepeat: g.vrrpGarpMasterRepeat,
      masterRefreshMs: g.vrrpGarpMasterRefreshMs, masterRefreshRepeat: g.vrrpGarpMasterRefreshRepeat,
      lowerPrioDelayMs: g.vrrpGarpMasterDelayMs, lowerPrioRepeat: g.vrrpGarpMasterRepeat, extraIfAll: false,
    },
    useVmacAddr: false, debug: 0, ownerIgnoreAdverts: false, v3ChecksumAsV2: false, linkbeatUsePolling: false,
  };
}

function electionKeywords(v: VrrpInstance, pend: InstancePending): KeywordTable {
  const n = v.name;
  return {
    state: (s, p) => {
      if (!needArg(s, p)) return;
      const w = s.words[1] as string;
      if (w === 'MASTER') pend.state = 'MASTER';
      else if (w === 'BACKUP') {
        if (pend.state === 'MASTER') p.diag.error(s.pos, `(${n}) state previously set as MASTER - ignoring BACKUP`, s.words[0]);
        else pend.state = 'BACKUP';
      } else {
        p.diag.error(s.pos, `(${n}) unknown state '${w}', defaulting to BACKUP`, s.words[0]);
        pend.state = 'BACKUP';
      }
    },
    interface: (s, p) => {
      if (!needArg(s, p)) return;
      const ifname = s.words[1] as string;
      if (ifname.length >= IFNAMSIZ) {
        p.diag.error(s.pos, `Interface name '${ifname}' too long - ignoring`, s.words[0]);
        return;
      }
      // keepalived refuses loopback interfaces by hardware type; `lo` is one on every
      // host, so we refuse it without looking at the host (others: validate-vrrp-host.ts).
      if (ifname === 'lo') {
        p.diag.error(s.pos, `(${n}) cannot use a loopback interface (${ifname}) for vrrp - ignoring`, s.words[0]);
        delete v.interface;
        return;
      }
      v.interface = ifname;
      pend.interfacePos = s.pos;
    },
    virtual_router_id: (s, p) => {
      if (!needArg(s, p)) return;
      const id = readInt(s, p, 1, 1, 255);
      if (id === undefined) p.diag.error(s.pos, `(${n}): VRID '${s.words[1]}' not valid - must be between 1 & 255`, s.words[0]);
      else v.vrid = id;
    },
    priority: (s, p) => {
      if (!needArg(s, p)) return;
      const prio = readInt(s, p, 1, 1, 255);
      if (prio === undefined) p.diag.error(s.pos, `(${n}) Priority not valid! must be between 1 & 255. Using default 100`, s.words[0]);
      v.priority = prio ?? 100;
      pend.priorityGiven = true;
    },
    advert_int: (s, p) => {
      if (!needArg(s, p)) return;
      const secs = readDecimalFixed(s, p, 1, 0.01, 255);
      if (secs === undefined || secs <= 0) {
        p.diag.error(s.pos, `(${n}) Advert interval (${s.words[1]}) not valid! Must be > 0 - ignoring`, s.words[0]);
        return;
      }
      pend.advertIntUs = Math.round(secs * 1_000_000);
    },
    version: (s, p) => {
      if (!needArg(s, p)) return;
      const ver = readInt(s, p, 1, 2, 3);
      if (ver === undefined) {
        p.diag.error(s.pos, `(${n}): Version must be either 2 or 3`, s.words[0]);
        return;
      }
      if ((pend.version !== undefined && pend.version !== ver) || (ver === 2 && pend.family === 6)) {
        p.diag.error(s.pos, `(${n}) vrrp_version ${ver} conflicts with configured or deduced version ${pend.version ?? 0}; ignoring.`, s.words[0]);
        return;
      }
      pend.version = ver as 2 | 3;
    },
    native_ipv6: (s, p) => {
      if (pend.family === 4) {
        p.diag.error(s.pos, `(${n}) Cannot specify native_ipv6 with IPv4 addresses`, s.words[0]);
        return;
      }
      pend.family = 6;
      pend.version = 3;
    },
    nopreempt: () => { v.nopreempt = true; },
    // Backwards compatibility: preempting is the default.
    preempt: () => { v.nopreempt = false; },
    preempt_delay: (s, p) => {
      if (!needArg(s, p)) return;
      const d = readDecimalFixed(s, p, 1, 0, 1000);
      if (d === undefined) p.diag.error(s.pos, `(${n}) Preempt_delay not valid! must be between 0-1000`, s.words[0]);
      v.preemptDelayMs = d === undefined ? 0 : Math.round(d * 1_000_000) / 1000;
    },
    dont_track_primary: () => { v.dontTrackPrimary = true; },
  };
}

export function vrrpInstanceKeyword(cfg: KeepalivedConfig, priorities: RulePriorities): KeywordTable {
  return {
    vrrp_instance: (s, p) => {
      if (s.words.length !== 2) {
        p.diag.error(s.pos, 'vrrp_instance must have a name', s.words[0]);
        return skipBlock;
      }
      const name = s.words[1] as string;
      if (cfg.vrrpInstances.some((i) => i.name === name)) {
        p.diag.error(s.pos, `vrrp instance ${name} already defined`, s.words[0]);
        return skipBlock;
      }
      const v = newInstance(name, s.pos, cfg.global);
      const pend = instancePending(v);
      let ttlGiven = false;
      return tableBlock({
        ...electionKeywords(v, pend),
        ...instanceNetKeywords(cfg, v, pend, priorities, () => { ttlGiven = true; }),
        ...instanceMiscKeywords(cfg, v, pend),
        ...trackKeywords(cfg, () => name, v.track),
      }, (closePos) => {
        // keepalived's vrrp_end_handler.
        const at = closePos ?? s.pos;
        if (v.vmac !== undefined) v.vmac.xmitBase = pend.vmacXmitBase;
        if ((v.vmac !== undefined || v.ipvlan !== undefined) && v.unicastConfigured) {
          if (v.interface === undefined) {
            p.diag.error(at, `(${name}): Cannot use VMAC/ipvlan with unicast and no interface - clearing use_vmac`, s.words[0]);
            delete v.vmac;
            delete v.ipvlan;
          } else if (v.vmac !== undefined && !v.vmac.xmitBase) {
            p.diag.error(at, `(${name}) unicast with use_vmac requires vmac_xmit_base - setting`, s.words[0]);
            v.vmac.xmitBase = true;
          }
        }
        if (ttlGiven && v.unicastPeers.length === 0) {
          p.diag.error(at, `(${name}): Cannot use unicast_ttl without unicast peers - resetting`, s.words[0]);
          delete v.unicastTtl;
        }
        if (v.interface === undefined) v.linkbeatUsePolling = false;
        cfg.vrrpInstances.push(v);
      });
    },
  };
}
