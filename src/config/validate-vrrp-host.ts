// Host-dependent checks, run only when the host is described (LoadOptions.host): the
// interfaces named exist and are not loopbacks, as keepalived checks against the
// running system, and (our advice) each VIP lies inside a subnet of its interface.
// Kept apart from the host-independent validation, as kube-vip separates them.
import type { Diagnostics } from './diagnostics.js';
import type { HostInfo, HostInterface } from './host.js';
import type { KeepalivedConfig } from './model/index.js';
import type { IpAddressEntry } from './model/ip.js';
import type { TrackRef } from './model/trackers.js';
import type { VrrpInstance } from './model/vrrp.js';
import { garpInterfacePos, instancePending } from './keywords/pending.js';
import { inPrefix } from './ip-math.js';

export class HostView {
  readonly #byName: Map<string, HostInterface>;
  /** keepalived ends with "Non-existent interface specified in configuration" once any was found. */
  missing = false;
  constructor(host: HostInfo, readonly dynamic: boolean) {
    this.#byName = new Map(host.interfaces.map((i) => [i.name, i]));
  }
  get(name: string): HostInterface | undefined {
    return this.#byName.get(name);
  }
  /** True when the name is usable; false (and remembered) when it does not exist. */
  exists(name: string): boolean {
    if (this.#byName.has(name) || this.dynamic) return true;
    this.missing = true;
    return false;
  }
  owning(addr: string): HostInterface | undefined {
    return [...this.#byName.values()].find((i) => i.prefixes.some((p) => p.addr === addr));
  }
}

/** Before completion: the instance interfaces (keepalived checks them while parsing). */
export function checkHostBefore(cfg: KeepalivedConfig, diag: Diagnostics, view: HostView): void {
  for (const v of cfg.vrrpInstances) {
    const pos = instancePending(v).interfacePos;
    if (v.interface === undefined) {
      // Unicast without `interface`: the interface holding the source address.
      if (v.srcIp !== undefined && v.unicastPeers.length > 0) {
        const owner = view.owning(v.srcIp);
        if (owner !== undefined) v.interface = owner.name;
      }
      continue;
    }
    const ifp = view.get(v.interface);
    if (!view.exists(v.interface)) {
      diag.error(pos, `WARNING - interface ${v.interface} for vrrp_instance ${v.name} doesn't exist`, 'interface');
    } else if (ifp?.loopback === true) {
      diag.error(pos, `(${v.name}) cannot use a loopback interface (${v.interface}) for vrrp - ignoring`, 'interface');
      delete v.interface;
    }
  }
}

function keepExistingAddrs(list: IpAddressEntry[], view: HostView, diag: Diagnostics): IpAddressEntry[] {
  return list.filter((a) => {
    if (a.device === undefined || view.exists(a.device)) return true;
    diag.error(a.pos, `WARNING - interface ${a.device} for ip address ${a.address} doesn't exist`, a.address);
    return false;
  });
}

function keepExistingTracked(owner: string, list: TrackRef[], view: HostView, diag: Diagnostics): TrackRef[] {
  return list.filter((t) => {
    if (view.exists(t.name)) return true;
    diag.error(t.pos, `(${owner}) tracked interface ${t.name} doesn't exist`, t.name);
    return false;
  });
}

/** Advice: a VIP outside every subnet of its interface is not reachable by ARP/ND there. */
function vipSubnets(v: VrrpInstance, view: HostView, diag: Diagnostics): void {
  for (const a of [...v.vips, ...v.evips]) {
    const dev = a.device ?? v.interface;
    if (dev === undefined) continue;
    const ifp = view.get(dev);
    if (ifp === undefined || (a.family === 6 && a.address.startsWith('fe80:'))) continue;
    // Ignore the VIP itself if the host holds it right now as a host route (we may be its master).
    const full = a.family === 4 ? 32 : 128;
    const subnets = ifp.prefixes.filter((p) => p.family === a.family && !(p.addr === a.address && p.len === full));
    if (subnets.some((p) => inPrefix(a.address, p.addr, p.len))) continue;
    diag.warn(a.pos, `(${v.name}) VIP ${a.address} is outside every IPv${a.family} subnet of interface ${dev}`
      + (subnets.length === 0 ? ` (it has no IPv${a.family} address)` : ` (${subnets.map((p) => `${p.addr}/${p.len}`).join(', ')})`), a.address);
  }
}

/** After completion: addresses, routes, trackers and groups naming interfaces, and VIP subnets. */
export function checkHostAfter(cfg: KeepalivedConfig, diag: Diagnostics, view: HostView): void {
  const g = cfg.global;
  for (const v of cfg.vrrpInstances) {
    v.vips = keepExistingAddrs(v.vips, view, diag);
    v.evips = keepExistingAddrs(v.evips, view, diag);
    v.track.interfaces = keepExistingTracked(v.name, v.track.interfaces, view, diag);
    v.virtualRoutes = v.virtualRoutes.filter((r) => {
      if (r.device === undefined || view.exists(r.device)) return true;
      diag.error(r.pos, `WARNING - interface ${r.device} for VROUTE nexthop doesn't exist`, r.device);
      return false;
    });
    // RFC 5798 strict mode: unicast only where the interface cannot multicast (loopbacks aside, all here can).
    if (v.strictMode && v.unicastPeers.length > 0 && v.interface !== undefined && view.get(v.interface) !== undefined) {
      diag.error(undefined, `(${v.name}) Unicast peers are not supported in strict mode`);
    }
    vipSubnets(v, view, diag);
  }
  for (const sg of cfg.syncGroups) sg.track.interfaces = keepExistingTracked(sg.name, sg.track.interfaces, view, diag);
  for (const gg of cfg.garpGroups) {
    gg.interfaces = gg.interfaces.filter((i) => {
      if (view.exists(i)) return true;
      diag.error(garpInterfacePos(gg).get(i) ?? gg.pos, `WARNING - interface ${i} specified for garp_group doesn't exist`, 'garp_group');
      return false;
    });
  }
  for (const lb of cfg.top.linkbeatInterfaces) {
    if (!view.exists(lb.name)) diag.fatal(lb.pos, `unknown interface ${lb.name} specified for linkbeat interface`, lb.name);
  }
  for (const d of cfg.top.interfaceUpDownDelays) {
    if (!view.exists(d.interface)) diag.fatal(d.pos, `unknown interface ${d.interface} specified for up/down delay`, d.interface);
  }
  const defaultIf = g.defaultInterface ?? 'eth0';
  cfg.staticAddresses = cfg.staticAddresses.filter((a) => {
    if (a.device !== undefined) return keepExistingAddrs([a], view, diag).length === 1;
    if (view.get(defaultIf) !== undefined || g.dynamicInterfaces) return true;
    diag.fatal(a.pos, `Static address ${a.address} requires either an interface or default interface must exist`, a.address);
    return false;
  });
  if (view.missing) diag.error(undefined, 'Non-existent interface specified in configuration');
}
