// Pure: the kernel's IPVS table as read back, turned into the engine-neutral snapshot
// `halb ctl list` renders, in the order ipvsadm lists it (libipvs ipvs_cmp_services /
// ipvs_cmp_dests: fwmark, family, protocol, address, port; C int arithmetic included).
import ipaddr from 'ipaddr.js';
import { IPVS_ONLY_STATES, type ConnState, type ConnectionSnapshot, type RealServerSnapshot, type ServiceSnapshot, type StatsSnapshot } from '../dataplane.js';
import { FORWARD_COLUMN, type L4Protocol } from '../model.js';
import type { IpvsConnRead, IpvsDestRead, IpvsServiceRead, IpvsStats } from './backend.js';
import { SVC_F, keyOfService, type IpvsServiceDef } from './table.js';

const PROTO_NUM: Record<L4Protocol, number> = { TCP: 6, UDP: 17, SCTP: 132 };
const AF_NUM = { 4: 2, 6: 10 } as const;

/** The address as big-endian 32-bit words (IPv4: one word). */
function words(address: string): number[] {
  const b = ipaddr.parse(address).toByteArray();
  const out: number[] = [];
  for (let i = 0; i < b.length; i += 4) out.push(((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0);
  return out;
}

/** `(int)(a - b)` for unsigned a, b, as the C comparators compute it. */
const cdiff = (a: number, b: number): number => (a - b) | 0;

function cmpAddr(a: string, b: string): number {
  const wa = words(a);
  const wb = words(b);
  let r = 0;
  for (let i = 0; r === 0 && i < wa.length; i++) r = cdiff(wa[i]!, wb[i] ?? 0);
  return r;
}

export function cmpServices(a: IpvsServiceDef, b: IpvsServiceDef): number {
  const r = cdiff(a.fwmark ?? 0, b.fwmark ?? 0) || AF_NUM[a.family] - AF_NUM[b.family];
  if (r !== 0) return r;
  if (a.fwmark !== undefined || b.fwmark !== undefined) return 0;
  return PROTO_NUM[a.protocol] - PROTO_NUM[b.protocol] || cmpAddr(a.address, b.address) || a.port - b.port;
}

export function cmpDests(a: { address: string; port: number }, b: { address: string; port: number }): number {
  return cmpAddr(a.address, b.address) || a.port - b.port;
}

function stats(s: IpvsStats): StatsSnapshot {
  return { ...s };
}

function rsSnapshot(d: IpvsDestRead, sorry: boolean): RealServerSnapshot {
  const key = d.family === 6 ? `[${d.address}]:${d.port}` : `${d.address}:${d.port}`;
  const forward = d.forward === 'LOCAL' ? 'Local' : FORWARD_COLUMN[d.forward];
  return {
    key, address: d.address, port: d.port, weight: d.weight, forward,
    activeConns: d.activeConns, inactiveConns: d.inactiveConns, persistConns: d.persistConns,
    overloaded: false, draining: false, sorry, stats: stats(d.stats),
  };
}

export interface SnapshotContext {
  /** serviceKey -> quorum state and the sorry server's destination key, from the desired state. */
  readonly quorumUp: (key: string) => boolean;
  readonly sorryKey: (key: string) => string | undefined;
}

/** The services of `read` that `keep` accepts (halb's own), in ipvsadm's order. */
export function serviceSnapshots(read: readonly IpvsServiceRead[], keep: (key: string) => boolean, ctx: SnapshotContext): ServiceSnapshot[] {
  const mine = read.filter((r) => keep(keyOfService(r.service))).sort((a, b) => cmpServices(a.service, b.service));
  return mine.map((r) => {
    const s = r.service;
    const key = keyOfService(s);
    const sorry = ctx.sorryKey(key);
    const quorumUp = ctx.quorumUp(key);
    const realServers = [...r.dests].sort(cmpDests).map((d) => rsSnapshot(d, sorry !== undefined && `${d.family === 6 ? `[${d.address}]` : d.address}:${d.port}` === sorry));
    const persistent = (s.flags & SVC_F.PERSISTENT) !== 0;
    return {
      key,
      protocol: s.fwmark === undefined ? s.protocol : 'TCP',
      address: s.fwmark === undefined ? s.address : s.family === 6 ? '::' : '0.0.0.0',
      port: s.fwmark === undefined ? s.port : 0,
      ...(s.fwmark !== undefined ? { fwmark: s.fwmark } : {}),
      ...((s.flags & SVC_F.ONEPACKET) !== 0 ? { onePacket: true } : {}),
      ...(s.peName !== undefined ? { persistenceEngine: s.peName } : {}),
      scheduler: s.scheduler as ServiceSnapshot['scheduler'],
      schedulerFlags: { fallback: (s.flags & SVC_F.SCHED1) !== 0, port: (s.flags & SVC_F.SCHED2) !== 0 },
      ...(persistent ? { persistence: { timeoutMs: s.timeoutS * 1000, granularity: s.prefix } } : {}),
      listener: 'listening', quorumUp, sorryActive: !quorumUp && sorry !== undefined,
      stats: stats(r.stats), realServers,
    };
  });
}

// Every state IPVS names: a TIME_WAIT entry must list as TIME_WAIT, as ipvsadm -Lnc shows it.
const STATES = new Set<ConnState>(['SYN_RECV', 'ESTABLISHED', 'FIN_WAIT', 'CLOSE_WAIT', 'CLOSE', 'UDP', 'NONE', ...IPVS_ONLY_STATES]);

/** /proc/net/ip_vs_conn rows whose virtual side is one of `vips` (halb's services), as -Lnc lists them. */
export function connectionSnapshots(rows: readonly IpvsConnRead[]): ConnectionSnapshot[] {
  const hp = (a: string, p: number): string => (a.includes(':') ? `[${a}]:${p}` : `${a}:${p}`);
  return rows.map((c) => ({
    protocol: (['TCP', 'UDP', 'SCTP'].includes(c.protocol) ? c.protocol : 'IP') as ConnectionSnapshot['protocol'],
    state: (STATES.has(c.state as ConnState) ? c.state : 'NONE') as ConnState,
    expiresInMs: c.expiresS * 1000,
    clientAddress: c.clientAddress, clientPort: c.clientPort,
    virtual: hp(c.virtualAddress, c.virtualPort), destination: hp(c.destAddress, c.destPort),
  }));
}
