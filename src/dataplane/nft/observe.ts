// From kernel readings to what ipvsadm shows: per real server connection counts
// (ActiveConn / InActConn / persistent templates), packet and byte counters, and the
// connection table (-Lnc). Pure.
//
// NAT: conntrack sees both halves of every flow; an entry belongs to a real server when
// its original destination is the VIP:port and its reply source the real server. As in
// IPVS, ESTABLISHED connections are active and everything else (handshake, closing,
// TIME_WAIT, UDP) inactive. DR: the director sees only the client's half, so the counts
// come from the engine's flow sets: a flow is inactive once the client sent FIN or RST.
import type { ConnState, ConnectionSnapshot } from '../dataplane.js';
import { endpointKey } from '../model.js';
import { COUNTER, SET } from './names.js';
import type { RsLoad, ServicePlan } from './plan.js';
import type { ConntrackEntry, CounterValue, SetElement, TableReading } from './readings.js';

export interface RsObserved {
  readonly active: number;
  readonly inactive: number;
  readonly persist: number;
  readonly conns: number;
  readonly inPkts: number;
  readonly inBytes: number;
  readonly outPkts: number;
  readonly outBytes: number;
}

export interface ServiceObserved {
  readonly rs: ReadonlyMap<string, RsObserved>;
  /** DR: packets and bytes from the VIP:port that reached the director (replies not sent straight to the client). */
  readonly repliesSeen: CounterValue;
}

const ZERO: CounterValue = { packets: 0, bytes: 0 };
const flowText = (k: SetElement['key']): string => (typeof k === 'string' ? k : `${k[0]}|${k[1]}`);

function conntrackIndex(plans: readonly ServicePlan[], entries: readonly ConntrackEntry[]): Map<string, ConntrackEntry[]> {
  const wanted = new Set(plans.filter((p) => p.forwarding === 'NAT').flatMap((p) => p.realServers.map((r) => `${p.protocol}|${p.address}|${p.port}|${r.key}`)));
  const out = new Map<string, ConntrackEntry[]>();
  for (const e of entries) {
    const k = `${e.protocol}|${e.original.dst}|${e.original.dport}|${endpointKey(e.reply.src, e.reply.sport)}`;
    if (!wanted.has(k)) continue;
    const list = out.get(k);
    if (list === undefined) out.set(k, [e]);
    else list.push(e);
  }
  return out;
}

/** Everything ipvsadm would show per service and real server, from one set of readings. */
export function observe(plans: readonly ServicePlan[], reading: TableReading, conntrack: readonly ConntrackEntry[] = []): Map<string, ServiceObserved> {
  const ct = conntrackIndex(plans, conntrack);
  const out = new Map<string, ServiceObserved>();
  const c = (name: string): CounterValue => reading.counters.get(name) ?? ZERO;
  for (const p of plans) {
    const rs = new Map<string, RsObserved>();
    const closing = new Set((reading.sets.get(SET.closing(p.id)) ?? []).map((e) => flowText(e.key)));
    for (const r of p.realServers) {
      let active = 0;
      let inactive = 0;
      if (p.forwarding === 'NAT') {
        for (const e of ct.get(`${p.protocol}|${p.address}|${p.port}|${r.key}`) ?? []) {
          if (e.state === 'ESTABLISHED') active++;
          else inactive++;
        }
      } else {
        for (const e of reading.sets.get(SET.flows(p.id, r.id)) ?? []) {
          if (p.protocol === 'TCP' && !closing.has(flowText(e.key))) active++;
          else inactive++;
        }
      }
      const inC = c(COUNTER.in(p.id, r.id));
      const outC = p.forwarding === 'NAT' ? c(COUNTER.out(p.id, r.id)) : ZERO;
      rs.set(r.key, {
        active, inactive,
        persist: (reading.sets.get(SET.persistence(p.id, r.id)) ?? []).length,
        conns: c(COUNTER.conns(p.id, r.id)).packets,
        inPkts: inC.packets, inBytes: inC.bytes, outPkts: outC.packets, outBytes: outC.bytes,
      });
    }
    out.set(p.key, { rs, repliesSeen: p.forwarding === 'DR' ? c(COUNTER.drReplies(p.id)) : ZERO });
  }
  return out;
}

/** The connection counts the load-driven schedulers and thresholds plan with. */
export function loadsOf(observed: ReadonlyMap<string, ServiceObserved>): Map<string, Map<string, RsLoad>> {
  const out = new Map<string, Map<string, RsLoad>>();
  for (const [key, s] of observed) out.set(key, new Map([...s.rs].map(([k, r]) => [k, { active: r.active, inactive: r.inactive }])));
  return out;
}

/** conntrack's TCP states in ipvsadm -Lnc terms. */
export function ipvsState(e: ConntrackEntry): ConnState {
  if (e.protocol === 'UDP') return 'UDP';
  switch (e.state) {
    case 'ESTABLISHED': return 'ESTABLISHED';
    case 'SYN_SENT': case 'SYN_RECV': case 'SYN_SENT2': return 'SYN_RECV';
    case 'FIN_WAIT': case 'LAST_ACK': return 'FIN_WAIT';
    case 'CLOSE_WAIT': return 'CLOSE_WAIT';
    default: return 'CLOSE';
  }
}

const hostPort = (a: string, port: number): string => endpointKey(a, port);

/** ipvsadm -Lnc: NAT connections from conntrack, DR flows from the flow sets, templates from the persistence sets. */
export function connectionsOf(plans: readonly ServicePlan[], reading: TableReading, conntrack: readonly ConntrackEntry[] = []): ConnectionSnapshot[] {
  const ct = conntrackIndex(plans, conntrack);
  const out: ConnectionSnapshot[] = [];
  for (const p of plans) {
    const virtual = hostPort(p.address, p.port);
    const closing = new Set((reading.sets.get(SET.closing(p.id)) ?? []).map((e) => flowText(e.key)));
    for (const r of p.realServers) {
      if (p.forwarding === 'NAT') {
        for (const e of ct.get(`${p.protocol}|${p.address}|${p.port}|${r.key}`) ?? []) {
          out.push({
            protocol: p.protocol, state: ipvsState(e), expiresInMs: e.timeoutS * 1000,
            clientAddress: e.original.src, clientPort: e.original.sport, virtual, destination: r.key,
          });
        }
      } else {
        for (const e of reading.sets.get(SET.flows(p.id, r.id)) ?? []) {
          if (typeof e.key === 'string') continue;
          const state: ConnState = p.protocol === 'UDP' ? 'UDP' : closing.has(flowText(e.key)) ? 'FIN_WAIT' : 'ESTABLISHED';
          out.push({ protocol: p.protocol, state, expiresInMs: e.expiresS * 1000, clientAddress: e.key[0], clientPort: e.key[1], virtual, destination: r.key });
        }
      }
      for (const e of reading.sets.get(SET.persistence(p.id, r.id)) ?? []) {
        if (typeof e.key !== 'string') continue;
        out.push({ protocol: p.protocol, state: 'NONE', expiresInMs: e.expiresS * 1000, clientAddress: e.key, clientPort: 0, virtual, destination: r.key });
      }
    }
  }
  return out;
}
