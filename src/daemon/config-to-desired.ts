// Pure mapping from the parsed keepalived.conf (LVS side) plus the daemon's health view
// to the engine-neutral DesiredState a dataplane applies. keepalived's
// check/ipwrapper.c makes the same decisions when it programs IPVS.
import type { KeepalivedConfig, RealServer, VirtualServer } from '../config/index.js';
import type { Forwarding } from '../config/model/lvs.js';
import type { IpvsTunnel } from '../core/ipvs-types.js';
import { endpointKey, serviceKey, type DesiredState, type RealServerSpec, type VirtualServiceSpec } from '../dataplane/model.js';
import type { SchedulerName } from '../dataplane/sched/types.js';
import { nextQuorumUp } from './quorum.js';

/** Health as the checkers decided it, keyed by realServerId(). Missing = not checked yet. */
export interface HealthView {
  readonly isUp: (rsId: string) => boolean | undefined;
  /** Weight the checkers set (misc_dynamic, FILE_CHECK); undefined = the configured weight. */
  readonly weight?: (rsId: string) => number | undefined;
  /** Previous quorum state per service id (for hysteresis); missing = start as up. */
  readonly quorumWasUp: (svcId: string) => boolean | undefined;
}

export interface MappingNote {
  readonly service: string;
  readonly message: string;
}

export interface MappingResult {
  readonly desired: DesiredState;
  /** Services the engine cannot carry (fwmark, SCTP) and similar, for the log. */
  readonly notes: readonly MappingNote[];
  /** Quorum state per service id, to feed back as `quorumWasUp` next time. */
  readonly quorum: ReadonlyMap<string, boolean>;
  /** realServerId by `serviceKey|endpointKey` as the dataplane names them, for passive ejection. */
  readonly rsIds: ReadonlyMap<string, string>;
  /** The virtual_server block behind each service id (quorum scripts and alerts). */
  readonly vsById: ReadonlyMap<string, VirtualServer>;
}

/** A TUN server's encapsulation, when it is not IPVS's default (ipip). */
function tunnelOf(f: Forwarding): { tunnel?: IpvsTunnel } {
  return f.method === 'TUN' && f.tunnel !== undefined && f.tunnel.type !== 'ipip' ? { tunnel: f.tunnel } : {};
}

export function serviceId(protocol: string, addr: string, port: number): string {
  return `${protocol}:${addr.includes(':') ? `[${addr}]` : addr}:${port}`;
}

/** One real server of one virtual_server block (a group's services share its checkers, as in keepalived). */
export function realServerId(vsLabel: string, rs: Pick<RealServer, 'addr' | 'port'>, svcPort: number): string {
  const port = rs.port === 0 ? svcPort : rs.port;
  return `${vsLabel}/${rs.addr.includes(':') ? `[${rs.addr}]` : rs.addr}:${port}`;
}

/** A real server with no checker is always up (keepalived adds it and never removes it). */
function rsUp(rs: RealServer, id: string, health: HealthView): boolean {
  if (rs.checkers.length === 0) return true;
  const h = health.isUp(id);
  if (h !== undefined) return h;
  return !rs.alpha;
}

interface Endpoint { addr: string; port: number; fwmark?: number }

/** A fwmark service's stand-in address: only its family counts. */
const anyAddr = (family: 4 | 6 | undefined): string => (family === 6 ? '::' : '0.0.0.0');

/** Every (address, port) a virtual_server stands for: itself, or each address of its group; fwmarks only for ipvs. */
function endpoints(vs: VirtualServer, cfg: KeepalivedConfig, notes: MappingNote[], engine: string): Endpoint[] {
  if (vs.key.kind === 'addr') return [{ addr: vs.key.addr, port: vs.key.port }];
  if (vs.key.kind === 'fwmark') {
    if (engine === 'ipvs') return [{ addr: anyAddr(familyOf(vs.family)), port: 0, fwmark: vs.key.fwmark }];
    notes.push({ service: vs.label, message: 'fwmark services need the ipvs dataplane (--dataplane ipvs); this engine skips them' });
    return [];
  }
  const name = vs.key.group;
  const group = cfg.virtualServerGroups.find((g) => g.name === name);
  if (group === undefined) return [];
  const out: Endpoint[] = [];
  for (const e of group.entries) {
    if (e.kind === 'fwmark') {
      if (engine === 'ipvs') out.push({ addr: anyAddr(familyOf(e.family ?? vs.family)), port: 0, fwmark: e.fwmark });
      else notes.push({ service: vs.label, message: `group ${name}: fwmark entries need the ipvs dataplane; skipped` });
      continue;
    }
    for (const a of expandRange(e.start, e.end, e.family)) out.push({ addr: a, port: e.port });
  }
  return out;
}

function familyOf(f: unknown): 4 | 6 | undefined {
  return f === 6 || f === 'inet6' ? 6 : f === 4 || f === 'inet' ? 4 : undefined;
}

/** Addresses from start to end inclusive (IPv4 last octet / IPv6 last group ranges, as keepalived allows). */
function expandRange(start: string, end: string, family: 4 | 6): string[] {
  if (start === end) return [start];
  if (family === 4) {
    const toN = (a: string): number => a.split('.').reduce((n, o) => n * 256 + Number(o), 0);
    const out: string[] = [];
    for (let n = toN(start); n <= toN(end) && out.length < 65536; n++) {
      out.push([24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.'));
    }
    return out;
  }
  const head = start.slice(0, start.lastIndexOf(':') + 1);
  const a = Number.parseInt(start.slice(head.length) || '0', 16);
  const b = Number.parseInt(end.slice(end.lastIndexOf(':') + 1) || '0', 16);
  const out: string[] = [];
  for (let n = a; n <= b && out.length < 65536; n++) out.push(`${head}${n.toString(16)}`);
  return out;
}

/** `engine`: the dataplane's name; the proxy carries every lb_kind as full NAT. */
export function configToDesired(cfg: KeepalivedConfig, health: HealthView, engine = 'proxy'): MappingResult {
  const notes: MappingNote[] = [];
  const services: VirtualServiceSpec[] = [];
  const quorum = new Map<string, boolean>();
  const rsIds = new Map<string, string>();
  const vsById = new Map<string, VirtualServer>();
  const seen = new Set<string>();
  for (const vs of cfg.virtualServers) {
    const protocol = vs.protocol ?? 'UDP';
    if (protocol === 'SCTP' && engine !== 'ipvs') {
      notes.push({ service: vs.label, message: `SCTP is not carried by the ${engine} engine (the ipvs engine carries it); skipped` });
      continue;
    }
    if (engine === 'proxy' && vs.forwarding.method !== 'NAT') {
      notes.push({ service: vs.label, message: `lb_kind ${vs.forwarding.method} is carried as full NAT by the proxy engine (the nft engine does DR)` });
    }
    for (const ep of endpoints(vs, cfg, notes, engine)) {
      const id = ep.fwmark !== undefined ? serviceKey({ protocol, address: ep.addr, port: 0, fwmark: ep.fwmark }) : serviceId(protocol, ep.addr, ep.port);
      const fw = ep.fwmark !== undefined ? { fwmark: ep.fwmark } : {};
      if (seen.has(id)) {
        notes.push({ service: id, message: 'defined twice; the first definition wins' });
        continue;
      }
      seen.add(id);
      vsById.set(id, vs);
      const realServers: RealServerSpec[] = [];
      let alive = 0;
      for (const rs of vs.realServers) {
        const rid = realServerId(vs.label, rs, ep.port);
        const up = rsUp(rs, rid, health);
        const weight = health.weight?.(rid) ?? rs.weight;
        if (up) alive += weight;
        const port = rs.port === 0 ? ep.port : rs.port;
        rsIds.set(`${serviceKey({ protocol, address: ep.addr, port: ep.port, ...fw })}|${endpointKey(rs.addr, port)}`, rid);
        realServers.push({
          address: rs.addr,
          port,
          weight,
          healthy: up,
          inhibitOnFailure: rs.inhibitOnFailure,
          upperThreshold: rs.upperThreshold,
          lowerThreshold: rs.lowerThreshold,
          forwarding: rs.forwarding.method,
          ...tunnelOf(rs.forwarding),
        });
      }
      const qUp = nextQuorumUp(health.quorumWasUp(id) ?? true, alive, vs.quorum, vs.hysteresis);
      quorum.set(id, qUp);
      const spec: VirtualServiceSpec = {
        protocol,
        address: ep.addr,
        port: ep.port,
        ...fw,
        ...(engine === 'ipvs' && vs.flags.onePacket ? { onePacket: true } : {}),
        ...(engine === 'ipvs' && vs.persistenceEngine !== undefined ? { persistenceEngine: vs.persistenceEngine } : {}),
        scheduler: vs.scheduler as SchedulerName,
        schedulerFlags: {
          port: vs.flags.shPort || vs.flags.mhPort || vs.flags.flag2,
          fallback: vs.flags.shFallback || vs.flags.mhFallback || vs.flags.flag1,
        },
        quorumUp: qUp,
        connectTimeoutMs: vs.connectTimeoutMs,
        forwarding: vs.forwarding.method,
        realServers,
        ...(vs.persistenceTimeoutMs > 0
          ? { persistence: { timeoutMs: vs.persistenceTimeoutMs, ...(vs.persistenceGranularity !== undefined ? { granularity: vs.persistenceGranularity } : {}) } }
          : {}),
        ...(vs.sorryServer !== undefined
          ? {
            sorryServer: {
              address: vs.sorryServer.addr, port: vs.sorryServer.port === 0 ? ep.port : vs.sorryServer.port,
              inhibit: vs.sorryServer.inhibitOnFailure, forwarding: vs.sorryServer.forwarding.method, ...tunnelOf(vs.sorryServer.forwarding),
            },
          }
          : {}),
      };
      services.push(spec);
    }
  }
  // lvs_timeouts: IPVS's own timeouts (ipvsadm --set), which only the ipvs engine sets.
  const t = cfg.global.lvsTimeouts;
  const timeouts = engine === 'ipvs' && (t.tcpS !== undefined || t.tcpFinS !== undefined || t.udpS !== undefined)
    ? {
      timeouts: {
        ...(t.tcpS !== undefined ? { tcpMs: t.tcpS * 1000 } : {}),
        ...(t.tcpFinS !== undefined ? { tcpFinMs: t.tcpFinS * 1000 } : {}),
        ...(t.udpS !== undefined ? { udpMs: t.udpS * 1000 } : {}),
      },
    }
    : {};
  return { desired: { services, ...timeouts }, notes, quorum, rsIds, vsById };
}
