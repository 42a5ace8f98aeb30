// The IPVS table as the kernel holds it (what `ipvsadm -Sn` saves), and the pure mapping
// from the engine-neutral desired state to it, as keepalived's check/ipvswrapper.c fills
// ipvs_service_t / ipvs_dest_t: the pool of model.poolOf() (health, inhibit_on_failure,
// quorum and the sorry server folded in) becomes the destinations; persistence becomes
// the PERSISTENT flag, timeout and netmask; sh/mh flags become SCHED1 (fallback) and
// SCHED2 (port); ops becomes ONEPACKET.
import { isIP } from 'node:net';
import type { IpvsServiceKey, IpvsServiceSettings } from '../../core/ipvs-types.js';
import {
  canonicalAddress, forwardingOf, persistencePrefix, poolOf, serviceKey,
  type DesiredState, type ForwardingMethod, type VirtualServiceSpec,
} from '../model.js';

/** ip_vs.h IP_VS_SVC_F_*. */
export const SVC_F = { PERSISTENT: 0x1, ONEPACKET: 0x4, SCHED1: 0x8, SCHED2: 0x10, SCHED3: 0x20 } as const;

export type { IpvsServiceKey, IpvsServiceSettings } from '../../core/ipvs-types.js';
import type { IpvsTunnel } from '../../core/ipvs-types.js';

export type IpvsServiceDef = IpvsServiceKey & IpvsServiceSettings;

export interface IpvsDestDef {
  readonly family: 4 | 6;
  readonly address: string;
  /** 0 for a fwmark service's server given without a port. */
  readonly port: number;
  readonly forward: ForwardingMethod | 'LOCAL';
  readonly weight: number;
  readonly upperThreshold: number;
  readonly lowerThreshold: number;
  /** TUN only, and only when not ipip (absent = ipip, as the kernel's default). */
  readonly tunnel?: IpvsTunnel;
}

export interface IpvsServiceEntry {
  /** model.serviceKey of the service. */
  readonly key: string;
  readonly service: IpvsServiceDef;
  /** By destKey. */
  readonly dests: ReadonlyMap<string, IpvsDestDef>;
}

/** The whole table, by service key. */
export type IpvsTable = ReadonlyMap<string, IpvsServiceEntry>;

/** IPVS's idle timeouts in whole seconds (ipvsadm --set); 0 leaves one as it is. */
export interface IpvsTimeouts {
  readonly tcpS: number;
  readonly tcpFinS: number;
  readonly udpS: number;
}

export function keyOfService(k: IpvsServiceKey): string {
  if (k.fwmark !== undefined) return serviceKey({ protocol: 'TCP', address: k.family === 6 ? '::' : '0.0.0.0', port: 0, fwmark: k.fwmark });
  return serviceKey({ protocol: k.protocol, address: k.address, port: k.port });
}

export function destKey(d: Pick<IpvsDestDef, 'address' | 'port'>): string {
  const a = canonicalAddress(d.address);
  return isIP(a) === 6 ? `[${a}]:${d.port}` : `${a}:${d.port}`;
}

/** The kernel-level service definition of `svc`. */
export function serviceDef(svc: VirtualServiceSpec): IpvsServiceDef {
  const family = isIP(svc.address) === 6 ? 6 : 4;
  let flags = 0;
  if (svc.persistence !== undefined) flags |= SVC_F.PERSISTENT;
  if (svc.onePacket === true) flags |= SVC_F.ONEPACKET;
  if (svc.schedulerFlags?.fallback === true) flags |= SVC_F.SCHED1;
  if (svc.schedulerFlags?.port === true) flags |= SVC_F.SCHED2;
  const settings: IpvsServiceSettings = {
    scheduler: svc.scheduler,
    flags,
    timeoutS: svc.persistence !== undefined ? Math.max(1, Math.ceil(svc.persistence.timeoutMs / 1000)) : 0,
    prefix: svc.persistence !== undefined ? persistencePrefix(svc) : family === 6 ? 128 : 32,
    ...(svc.persistenceEngine !== undefined ? { peName: svc.persistenceEngine } : {}),
  };
  if (svc.fwmark !== undefined) return { family, fwmark: svc.fwmark, ...settings };
  return { family, protocol: svc.protocol, address: canonicalAddress(svc.address), port: svc.port, ...settings };
}

/** The destinations of `svc`: its pool, each with its own forwarding method. */
export function destDefs(svc: VirtualServiceSpec): Map<string, IpvsDestDef> {
  const out = new Map<string, IpvsDestDef>();
  const byKey = new Map(svc.realServers.map((r) => [destKey(r), r]));
  for (const p of poolOf(svc)) {
    const rs = p.sorry && !byKey.has(p.key) ? svc.sorryServer : byKey.get(p.key);
    const forward = forwardingOf(svc, rs);
    out.set(p.key, {
      family: isIP(p.address) === 6 ? 6 : 4, address: p.address, port: p.port, forward,
      weight: p.weight, upperThreshold: p.upperThreshold, lowerThreshold: p.lowerThreshold,
      ...(forward === 'TUN' && rs?.tunnel !== undefined ? { tunnel: rs.tunnel } : {}),
    });
  }
  return out;
}

/** The table `state` asks for. */
export function desiredTable(state: DesiredState): IpvsTable {
  const out = new Map<string, IpvsServiceEntry>();
  for (const svc of state.services) {
    const key = serviceKey(svc);
    out.set(key, { key, service: serviceDef(svc), dests: destDefs(svc) });
  }
  return out;
}

/** IPVS timeouts the state sets (lvs_timeouts), or undefined to leave the kernel's. */
/** IPVS's own timeouts (ip_vs_proto_tcp.c / ip_vs_proto_udp.c): what `ipvsadm -L --timeout` shows on a fresh namespace. */
export const IPVS_DEFAULT_TIMEOUTS: IpvsTimeouts = { tcpS: 900, tcpFinS: 120, udpS: 300 };

export function desiredTimeouts(state: DesiredState): IpvsTimeouts | undefined {
  const t = state.timeouts;
  if (t === undefined || (t.tcpMs === undefined && t.tcpFinMs === undefined && t.udpMs === undefined)) return undefined;
  const s = (ms: number | undefined): number => (ms === undefined ? 0 : Math.max(1, Math.round(ms / 1000)));
  return { tcpS: s(t.tcpMs), tcpFinS: s(t.tcpFinMs), udpS: s(t.udpMs) };
}

export function sameSettings(a: IpvsServiceSettings, b: IpvsServiceSettings): boolean {
  return a.scheduler === b.scheduler && a.flags === b.flags && a.timeoutS === b.timeoutS && a.prefix === b.prefix && (a.peName ?? '') === (b.peName ?? '');
}

export function sameDest(a: IpvsDestDef, b: IpvsDestDef): boolean {
  return a.forward === b.forward && a.weight === b.weight && a.upperThreshold === b.upperThreshold && a.lowerThreshold === b.lowerThreshold &&
    sameTunnel(a.tunnel, b.tunnel);
}

function sameTunnel(a: IpvsTunnel | undefined, b: IpvsTunnel | undefined): boolean {
  return a?.type === b?.type && a?.port === b?.port && a?.checksum === b?.checksum;
}

/** Tables equal as `ipvsadm -Sn` would show them (services, their settings and destinations). */
export function sameTable(a: IpvsTable, b: IpvsTable): boolean {
  if (a.size !== b.size) return false;
  for (const [k, ea] of a) {
    const eb = b.get(k);
    if (eb === undefined || !sameSettings(ea.service, eb.service) || ea.dests.size !== eb.dests.size) return false;
    for (const [dk, da] of ea.dests) {
      const db = eb.dests.get(dk);
      if (db === undefined || !sameDest(da, db)) return false;
    }
  }
  return true;
}
