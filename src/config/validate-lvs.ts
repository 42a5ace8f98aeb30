// Cross-block LVS checks, in the order and words of keepalived 2.2.7's
// validate_check_config() (check/check_data.c), which reports without a line number.
// Like keepalived it also corrects what it reports: the protocol defaults to UDP, a
// duplicate real server is dropped, quorum and hysteresis are bounded, ports are aligned.
// Group references are checked here too (keepalived only finds them at start-up).
import type { Diagnostics } from './diagnostics.js';
import type { KeepalivedConfig } from './model/index.js';
import type { RealServer, VirtualServer, VirtualServerGroup, VsgEntry } from './model/lvs.js';
import { trio } from './keywords/lvs-addr.js';
import { DEFAULT_PERSISTENCE_MS, vsLabel } from './keywords/lvs-draft.js';

const rsLabel = (vs: VirtualServer, r: { addr: string; port: number }): string => trio(r.addr, vs.protocol, r.port);

/** format_vsge(): `FWM n`, `a-b,port` or `a,port`. */
function vsgeLabel(e: VsgEntry): string {
  if (e.kind === 'fwmark') return `FWM ${e.fwmark}`;
  return e.start !== e.end ? `${e.start}-${e.end},${e.port}` : `${e.start},${e.port}`;
}

function relabel(vs: VirtualServer): void {
  vs.label = vsLabel(vs.key, vs.protocol);
}

/**
 * link_vsg_to_vs(): the group must exist and agree with the family the real servers
 * gave the service. keepalived only logs these and drops the service; so do we, as errors.
 */
function linkGroup(vs: VirtualServer, group: VirtualServerGroup | undefined, diag: Diagnostics): boolean {
  if (vs.key.kind !== 'group') return true;
  const name = vs.key.group;
  if (group === undefined) {
    diag.error(vs.pos, `Virtual server group ${name} specified but not configured - ignoring virtual server ${vs.label}`, 'virtual_server');
    return false;
  }
  const fams = new Set(group.entries.flatMap((e) => (e.family !== undefined ? [e.family] : [])));
  if (fams.size === 2 && vs.family !== undefined) {
    diag.error(vs.pos, `${name}: virtual server group with IPv4 & IPv6 doesn't match virtual server ${vs.label} - ignoring`, 'virtual_server');
    return false;
  }
  const only = fams.size === 1 ? [...fams][0] : undefined;
  if (only !== undefined && vs.family !== undefined && only !== vs.family) {
    diag.error(vs.pos, `${name}: address family doesn't match virtual server ${vs.label} - ignoring`, 'virtual_server');
    return false;
  }
  if (only !== undefined) vs.family = only;
  else if (vs.family === undefined && group.entries.some((e) => e.kind === 'fwmark' && e.family === undefined)) {
    diag.warn(vs.pos, `${name}: Virtual server ${vs.label} address family cannot be determined, defaulting to IPv4`, 'virtual_server');
    vs.family = 4;
  }
  return true;
}

/** The service-level checks, before the real servers are looked at. */
function checkService(vs: VirtualServer, group: VirtualServerGroup | undefined, diag: Diagnostics): void {
  const ranges = group?.entries.filter((e) => e.kind === 'range') ?? [];
  const marks = group?.entries.filter((e) => e.kind === 'fwmark') ?? [];
  const isFwmark = vs.key.kind === 'fwmark';
  if (vs.haSuspend && (isFwmark || marks.length > 0)) {
    diag.error(undefined, `Virtual server ${vs.label}: cannot use ha_suspend with fwmarks - clearing ha_suspend`);
    vs.haSuspend = false;
  }
  if (ranges.length > 0 || vs.key.kind === 'addr') {
    if (vs.protocol === undefined) {
      // IPVS takes protocol 0 as UDP, so keepalived makes it explicit.
      diag.error(undefined, `Virtual server ${vs.label}: no protocol set - defaulting to UDP`);
      vs.protocol = 'UDP';
      vs.defaulted.push('protocol');
      relabel(vs);
    }
    if (vs.flags.onePacket && vs.protocol !== 'UDP') {
      diag.error(undefined, `Virtual server ${vs.label}: one packet scheduling requires UDP - resetting`);
      vs.flags.onePacket = false;
    }
    if (vs.persistenceTimeoutMs === 0 && vs.key.kind === 'addr' && vs.key.port === 0) {
      diag.error(undefined, `Virtual server ${vs.label}: zero port only valid for persistent services - setting`);
      vs.persistenceTimeoutMs = DEFAULT_PERSISTENCE_MS;
    }
  }
  if (vs.persistenceTimeoutMs === 0 && ranges.some((e) => e.port === 0)) {
    diag.error(undefined, `Virtual server ${vs.label}: zero port only valid for persistent services - setting`);
    vs.persistenceTimeoutMs = DEFAULT_PERSISTENCE_MS;
  }
  if (vs.protocol !== undefined && (group !== undefined ? ranges.length === 0 && marks.length > 0 : isFwmark)) {
    diag.error(undefined, `Warning: Virtual server ${vs.label}: protocol specified for fwmark - protocol will be ignored`);
    delete vs.protocol;
    relabel(vs);
  }
  if (vs.defaulted.includes('scheduler')) {
    diag.error(undefined, `Virtual server ${vs.label}: no scheduler set, setting default 'wlc'`);
  }
}

/** Duplicates, the sorry server's inhibit setting, quorum and hysteresis. */
function checkRealServers(vs: VirtualServer, diag: Diagnostics): void {
  if (vs.defaulted.includes('method')) {
    diag.error(undefined, `Virtual server ${vs.label}: no forwarding method set, setting default NAT`);
  }
  const kept: RealServer[] = [];
  let weightSum = 0;
  for (const rs of vs.realServers) {
    if (kept.some((k) => k.addr === rs.addr && k.port === rs.port)) {
      diag.error(undefined, `VS ${vs.label}: real server ${rsLabel(vs, rs)} is duplicated - removing second rs`);
      continue;
    }
    kept.push(rs);
    weightSum += rs.weight;
    const s = vs.sorryServer;
    if (s !== undefined && s.addr === rs.addr && s.port === rs.port && s.inhibitOnFailure !== rs.inhibitOnFailure) {
      diag.error(undefined, `Virtual server ${vs.label}: real server ${rsLabel(vs, rs)} matches sorry server, but inhibit setting differs, ${rs.inhibitOnFailure ? 'sett' : 'clear'}ing on sorry server`);
      s.inhibitOnFailure = rs.inhibitOnFailure;
    }
  }
  vs.realServers = kept;
  if (vs.quorum > weightSum) {
    diag.error(undefined, `Warning - quorum ${vs.quorum} for ${vs.label} exceeds total weight of real servers ${weightSum}, reducing quorum to ${weightSum}`);
    vs.quorum = weightSum;
  }
  if (vs.hysteresis >= vs.quorum) {
    // keepalived's unsigned arithmetic: with a quorum of 0 this wraps to 4294967295.
    const h = (vs.quorum - 1) >>> 0;
    diag.error(undefined, `Virtual server ${vs.label}: hysteresis ${vs.hysteresis} >= quorum ${vs.quorum}; setting hysteresis to ${h}`);
    vs.hysteresis = h;
  }
}

/** Unless NAT, a real server listens on the service's port (none for fwmark services). */
function checkPorts(vs: VirtualServer, group: VirtualServerGroup | undefined, diag: Diagnostics): void {
  const sorry = vs.sorryServer;
  if (group !== undefined) {
    if (group.entries.some((e) => e.kind === 'fwmark')) {
      for (const rs of vs.realServers) {
        if (rs.forwarding.method !== 'NAT' && rs.port !== 0) {
          diag.error(undefined, `WARNING - fwmark virtual server ${vs.label}, real server ${rsLabel(vs, rs)} has port specified - port will be ignored`);
        }
      }
      if (sorry !== undefined && sorry.forwarding.method !== 'NAT' && sorry.port !== 0) {
        diag.error(undefined, `WARNING - fwmark virtual server ${vs.label}, sorry server has port specified - port will be ignored`);
      }
    }
    for (const e of group.entries) {
      if (e.kind !== 'range') continue;
      for (const rs of vs.realServers) {
        if (rs.forwarding.method !== 'NAT' && rs.port !== 0 && rs.port !== e.port) {
          diag.error(undefined, `virtual server ${vs.label}:[${vsgeLabel(e)}] and real server ${rsLabel(vs, rs)} ports don't match`);
        }
      }
      if (sorry !== undefined && sorry.forwarding.method !== 'NAT' && sorry.port !== 0 && sorry.port !== e.port) {
        diag.error(undefined, `WARNING - virtual server ${vs.label}, sorry server has port specified - port will be ignored`);
      }
    }
    return;
  }
  const vport = vs.key.kind === 'addr' ? vs.key.port : 0;
  const fwmark = vs.key.kind === 'fwmark';
  for (const rs of vs.realServers) {
    if (rs.forwarding.method === 'NAT') {
      if (!fwmark && rs.port === 0) rs.port = vport;
    } else if (fwmark) {
      if (rs.port !== 0) {
        diag.error(undefined, `WARNING - fwmark virtual server ${vs.label}, real server ${rsLabel(vs, rs)} has port specified - clearing`);
        rs.port = 0;
      }
    } else if (rs.port === 0) {
      rs.port = vport;
    } else if (rs.port !== vport) {
      diag.error(undefined, `WARNING - virtual server ${vs.label} and real server ${rsLabel(vs, rs)} ports don't match - resetting`);
      rs.port = vport;
    }
  }
  if (sorry !== undefined) {
    if (sorry.forwarding.method === 'NAT') {
      // keepalived leaves a NAT sorry server without a port; IPVS needs one, so take the service's.
      if (!fwmark && sorry.port === 0) sorry.port = vport;
    } else if (fwmark) {
      if (sorry.port !== 0) {
        diag.error(undefined, `WARNING - virtual server ${vs.label}, sorry server has port specified - clearing`);
        sorry.port = 0;
      }
    } else if (sorry.port === 0) {
      sorry.port = vport;
    } else if (sorry.port !== vport) {
      diag.error(undefined, `WARNING - virtual server ${vs.label} and sorry server ports don't match - resetting`);
      sorry.port = vport;
    }
  }
}

/** A checker without connect_port probes its real server's port, now that it is known. */
function fillCheckerPorts(vs: VirtualServer): void {
  for (const rs of vs.realServers) {
    for (const c of rs.checkers) {
      if ('connect' in c && c.connect.port === 0) c.connect.port = rs.port;
    }
  }
}

export function validateLvs(cfg: KeepalivedConfig, diag: Diagnostics): void {
  const kept: VirtualServer[] = [];
  for (const vs of cfg.virtualServers) {
    const key = vs.key;
    const group = key.kind === 'group' ? cfg.virtualServerGroups.find((g) => g.name === key.group) : undefined;
    if (!linkGroup(vs, group, diag)) continue;
    if (vs.realServers.length === 0) {
      diag.error(undefined, `Virtual server ${vs.label} has no real servers - ignoring`);
      continue;
    }
    checkService(vs, group, diag);
    checkRealServers(vs, diag);
    checkPorts(vs, group, diag);
    fillCheckerPorts(vs);
    kept.push(vs);
  }
  cfg.virtualServers = kept;
}
