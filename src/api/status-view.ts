// One view of the daemon for the admin API, the dashboard and the dumps: the dataplane's
// services with each real server's health, checkers and override joined in, and the
// VRRP instances with their last transition and its reason. Built from AdminStatus only;
// the daemon's snapshots are typed `unknown` there, so their shapes are read here once.
import type { AdminEvent, AdminStatus, WeightOverride } from './admin-types.js';
import type { RealServerSnapshot, StatsSnapshot } from '../dataplane/dataplane.js';
import type { EngineSnapshot, InstanceSnapshot } from '../vrrp/engine/types.js';
import type { LoopDelay, WorkerSnapshot } from '../vrrp/engine/worker-protocol.js';
import type { CheckerStatus, HealthSnapshot } from '../check/scheduler.js';

/** What the daemon's VRRP side returns as AdminStatus.vrrp. */
export interface VrrpStatus {
  readonly engine: WorkerSnapshot;
  /** Recent transitions as the engine reported them (no timestamps). */
  readonly transitions: ReadonlyArray<{ readonly instance: string; readonly from: string; readonly to: string; readonly reason: string }>;
}

export function vrrpStatus(s: AdminStatus): VrrpStatus | undefined {
  const v = s.vrrp as Partial<VrrpStatus> | undefined | null;
  if (v === undefined || v === null || typeof v !== 'object' || v.engine === undefined || !Array.isArray(v.engine.instances)) return undefined;
  return { engine: v.engine, transitions: Array.isArray(v.transitions) ? v.transitions : [] };
}

export function healthStatus(s: AdminStatus): HealthSnapshot | undefined {
  const h = s.health as Partial<HealthSnapshot> | undefined | null;
  if (h === undefined || h === null || typeof h !== 'object' || !Array.isArray(h.realServers)) return undefined;
  return h as HealthSnapshot;
}

export interface LastTransition {
  /** Wall-clock ms; null when only the engine's list (without times) knew it. */
  readonly at: number | null;
  readonly from: string;
  readonly to: string;
  readonly reason: string;
}

export type InstanceView = Omit<InstanceSnapshot, 'lastTransition'> & { readonly lastTransition: LastTransition | null };

export interface CheckerView {
  readonly kind: string;
  readonly target: string;
  readonly up: boolean;
  readonly runs: number;
  readonly failures: number;
  readonly nextInMs: number;
  readonly last: { readonly ok: boolean; readonly detail: string; readonly latencyMs: number; readonly reason?: string } | null;
}

/** up: in the pool; down: its checkers failed; drained: weight 0 by an override. */
export type RealServerState = 'up' | 'down' | 'drained';

export interface RealServerView {
  readonly key: string;
  readonly address: string;
  readonly port: number;
  readonly state: RealServerState;
  /** Weight as the scheduler sees it. */
  readonly weight: number;
  /** null: no checker (always up, as in keepalived). */
  readonly alive: boolean | null;
  readonly checkers: readonly CheckerView[];
  readonly override: WeightOverride | null;
  readonly activeConns: number;
  readonly inactiveConns: number;
  readonly draining: boolean;
  readonly sorry: boolean;
  readonly stats: StatsSnapshot;
}

export interface ServiceView {
  readonly key: string;
  readonly protocol: string;
  readonly address: string;
  readonly port: number;
  readonly scheduler: string;
  readonly listener: string;
  readonly listenError?: string;
  readonly quorumUp: boolean;
  readonly sorryActive: boolean;
  readonly stats: StatsSnapshot;
  readonly realServers: readonly RealServerView[];
}

export interface StatusView {
  readonly takenAt: number;
  readonly daemon: AdminStatus['daemon'];
  readonly eventLoopLagMs: AdminStatus['eventLoopLagMs'];
  readonly vrrp: {
    readonly instances: readonly InstanceView[];
    readonly syncGroups: EngineSnapshot['syncGroups'];
    readonly unattributedDrops: EngineSnapshot['unattributedDrops'];
    readonly timers: EngineSnapshot['timers'];
    readonly eventLoop: LoopDelay;
  } | null;
  readonly health: { readonly lateness: HealthSnapshot['lateness'] } | null;
  readonly services: readonly ServiceView[];
  readonly overrides: readonly WeightOverride[];
}

type HealthEntry = HealthSnapshot['realServers'][number];

/**
 * Dataplane names for a health id when the daemon gives no map: the id is
 * `<keepalived VS label>/<address>:<port>`, the label `[addr]:proto:port`.
 */
export function namesFromRsId(rsId: string): { service: string; realServer: string } | undefined {
  const slash = rsId.lastIndexOf('/');
  if (slash < 0) return undefined;
  const m = /^\[([^\]]+)\]:(tcp|udp|sctp):(\d+)$/.exec(rsId.slice(0, slash));
  if (m === null) return undefined;
  const [, addr = '', proto = '', port = ''] = m;
  return { service: `${proto.toUpperCase()}:${addr.includes(':') ? `[${addr}]` : addr}:${port}`, realServer: rsId.slice(slash + 1) };
}

/** Health entries by `serviceKey|endpointKey`. */
export function healthByName(s: AdminStatus): Map<string, HealthEntry> {
  const out = new Map<string, HealthEntry>();
  const h = healthStatus(s);
  if (h === undefined) return out;
  const byId = new Map(h.realServers.map((r) => [r.rsId, r]));
  if (s.realServerIds !== undefined) {
    for (const [name, id] of Object.entries(s.realServerIds)) {
      const e = byId.get(id);
      if (e !== undefined) out.set(name, e);
    }
    return out;
  }
  for (const r of h.realServers) {
    const n = namesFromRsId(r.rsId);
    if (n !== undefined) out.set(`${n.service}|${n.realServer}`, r);
  }
  return out;
}

function checkerView(c: CheckerStatus): CheckerView {
  const last = c.last === undefined ? null : {
    ok: c.last.ok, detail: c.last.detail, latencyMs: c.last.latencyMs, ...(c.last.ok ? {} : { reason: c.last.reason }),
  };
  return { kind: c.checker.kind, target: c.checker.target, up: c.up, runs: c.runs, failures: c.failures, nextInMs: c.nextInMs, last };
}

function realServerView(rs: RealServerSnapshot, health: HealthEntry | undefined, override: WeightOverride | undefined): RealServerView {
  const alive = health === undefined ? null : health.alive;
  const state: RealServerState = override?.drained === true ? 'drained' : alive === false ? 'down' : 'up';
  return {
    key: rs.key, address: rs.address, port: rs.port, state, weight: rs.weight, alive,
    checkers: health?.checkers.map(checkerView) ?? [], override: override ?? null,
    activeConns: rs.activeConns, inactiveConns: rs.inactiveConns, draining: rs.draining, sorry: rs.sorry, stats: rs.stats,
  };
}

const ZERO_STATS: StatsSnapshot = { conns: 0, inPkts: 0, outPkts: 0, inBytes: 0, outBytes: 0, cps: 0, inPps: 0, outPps: 0, inBps: 0, outBps: 0 };

/** The dataplane row of a real server it does not carry: weight 0, no traffic. */
function outOfPool(key: string): RealServerSnapshot | undefined {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(key) ?? /^([^:]+):(\d+)$/.exec(key);
  if (m === null) return undefined;
  return {
    key, address: m[1] ?? '', port: Number(m[2]), weight: 0, forward: 'Masq', activeConns: 0, inactiveConns: 0, persistConns: 0,
    overloaded: false, draining: false, sorry: false, stats: ZERO_STATS,
  };
}

/** Transitions the API saw (with times), newest last; used for each instance's last transition. */
export type TransitionEvent = Extract<AdminEvent, { kind: 'vrrp-transition' }>;

function lastTransition(inst: InstanceSnapshot, seen: readonly TransitionEvent[], engineList: VrrpStatus['transitions']): LastTransition | null {
  for (let i = seen.length - 1; i >= 0; i--) {
    const t = seen[i];
    if (t !== undefined && t.instance === inst.name) return { at: t.at, from: t.from, to: t.to, reason: t.reason };
  }
  for (let i = engineList.length - 1; i >= 0; i--) {
    const t = engineList[i];
    if (t !== undefined && t.instance === inst.name) return { at: inst.lastTransition, from: t.from, to: t.to, reason: t.reason };
  }
  return null;
}

export function statusView(s: AdminStatus, seen: readonly TransitionEvent[] = []): StatusView {
  const health = healthByName(s);
  const overrides = new Map(s.overrides.map((o) => [`${o.service}|${o.realServer}`, o]));
  const services: ServiceView[] = s.dataplane.services.map((svc) => {
    const rows = svc.realServers.map((rs) => realServerView(rs, health.get(`${svc.key}|${rs.key}`), overrides.get(`${svc.key}|${rs.key}`)));
    // A failed real server without inhibit_on_failure leaves the dataplane's pool (as
    // keepalived removes it from IPVS); it is still configured and still checked.
    const listed = new Set(svc.realServers.map((rs) => rs.key));
    for (const [name, h] of health) {
      const bar = name.indexOf('|');
      if (name.slice(0, bar) !== svc.key || listed.has(name.slice(bar + 1))) continue;
      const rs = outOfPool(name.slice(bar + 1));
      if (rs !== undefined) rows.push(realServerView(rs, h, overrides.get(name)));
    }
    return {
      key: svc.key, protocol: svc.protocol, address: svc.address, port: svc.port, scheduler: svc.scheduler,
      listener: svc.listener, ...(svc.listenError !== undefined ? { listenError: svc.listenError } : {}),
      quorumUp: svc.quorumUp, sorryActive: svc.sorryActive, stats: svc.stats, realServers: rows,
    };
  });
  const v = vrrpStatus(s);
  const h = healthStatus(s);
  return {
    takenAt: s.dataplane.takenAt,
    daemon: s.daemon,
    eventLoopLagMs: s.eventLoopLagMs,
    vrrp: v === undefined ? null : {
      instances: v.engine.instances.map((i) => ({ ...i, lastTransition: lastTransition(i, seen, v.transitions) })),
      syncGroups: v.engine.syncGroups,
      unattributedDrops: v.engine.unattributedDrops,
      timers: v.engine.timers,
      eventLoop: v.engine.eventLoop,
    },
    health: h === undefined ? null : { lateness: h.lateness },
    services,
    overrides: s.overrides,
  };
}
