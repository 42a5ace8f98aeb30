// Step 1 of the nftables engine (plan -> render -> apply): from the desired state, the
// engine's previous bookkeeping and the latest readings (connection counts, routes to
// the real servers), decide what each service should look like in the kernel. Pure.
//
// The bookkeeping (NftState) gives every service and real server a small stable id that
// names its chains, sets and counters, so an unchanged server keeps its counters and
// flows across applies. A real server that leaves the pool keeps its id, its counters
// and (DR) its flow set for the idle timeout, so established flows finish on it as IPVS
// lets connections to a removed destination finish; a removed DR service likewise keeps
// forwarding its established flows, without taking new ones. NAT needs no such care for
// forwarding: conntrack keeps each established flow's translation whatever the rules say.
import { NotSupportedError } from '../../core/errors.js';
import type { ServiceFailure } from '../dataplane.js';
import {
  canonicalAddress, effectiveTimeouts, endpointKey, forwardingOf, persistencePrefix, poolOf, serviceKey,
  type DesiredState, type L4Protocol, type PoolEntry, type VirtualServiceSpec,
} from '../model.js';
import type { SchedulerFlags, SchedulerName } from '../sched/index.js';
import { buildDispatch, LOAD_DRIVEN, nextMhLastWeights, type Dispatch } from './dispatch.js';

/** Where the kernel sends packets for a real server's address (`ip route get`). */
export interface RouteInfo {
  readonly device: string;
  readonly gateway?: string;
  readonly local: boolean;
}

/** Connection counts of one real server at the last reading. */
export interface RsLoad {
  readonly active: number;
  readonly inactive: number;
}

export interface PlanContext {
  /** The engine clock's monotonic ms. */
  readonly now: number;
  /** serviceKey -> real server key -> counts; absent services keep their last overload state. */
  readonly loads?: ReadonlyMap<string, ReadonlyMap<string, RsLoad>>;
  /** serviceKey -> new connections expected before the next reading (load-driven schedulers). */
  readonly arrivals?: ReadonlyMap<string, number>;
  /** DR: canonical real server address -> route. */
  readonly routes?: ReadonlyMap<string, RouteInfo>;
}

export interface RsState {
  readonly id: number;
  readonly drainingSince?: number;
}

export interface SvcState {
  readonly id: number;
  readonly nextRsId: number;
  readonly rs: ReadonlyMap<string, RsState>;
  readonly mhLastWeights: ReadonlyMap<string, number>;
  readonly overloaded: ReadonlySet<string>;
  /** What was rendered last: a removed DR service drains from it. */
  readonly last?: ServicePlan;
  readonly drainingSince?: number;
}

export interface NftState {
  readonly nextServiceId: number;
  readonly services: ReadonlyMap<string, SvcState>;
}

export interface RsPlan {
  readonly id: number;
  /** endpointKey. */
  readonly key: string;
  readonly address: string;
  readonly port: number;
  /** Weight in the pool (0 when quiesced, inhibited or draining). */
  readonly weight: number;
  readonly inPool: boolean;
  /** Left the pool; established flows finish, no new ones. */
  readonly draining: boolean;
  readonly sorry: boolean;
  readonly overloaded: boolean;
  /** DR: the interface the real server is reached on. */
  readonly device?: string;
}

export interface ServicePlan {
  readonly key: string;
  readonly id: number;
  readonly protocol: L4Protocol;
  readonly family: 4 | 6;
  readonly address: string;
  readonly port: number;
  readonly forwarding: 'NAT' | 'DR';
  readonly scheduler: SchedulerName;
  readonly flags: SchedulerFlags;
  readonly persistence?: { readonly timeoutS: number; readonly prefix: number };
  /** Idle timeouts in whole seconds (nft set timeouts). */
  readonly timeouts: { readonly tcpS: number; readonly tcpFinS: number; readonly udpS: number };
  readonly quorumUp: boolean;
  readonly sorryActive: boolean;
  readonly realServers: readonly RsPlan[];
  readonly dispatch: Dispatch;
  /** Removed from the desired state: forwards established flows only. */
  readonly draining: boolean;
}

export interface NftPlan {
  readonly state: NftState;
  /** Services to render, desired order first, then draining ones. */
  readonly services: readonly ServicePlan[];
  /** Services that cannot be rendered; they are left out. */
  readonly failures: readonly ServiceFailure[];
  /** When a draining server or service expires: plan again then. */
  readonly nextDeadline?: number;
  /** Some service depends on connection counts: read them and plan again periodically. */
  readonly loadDriven: boolean;
}

const seconds = (ms: number): number => Math.max(1, Math.ceil(ms / 1000));

function drainMs(p: Pick<ServicePlan, 'protocol' | 'timeouts'>): number {
  return (p.protocol === 'UDP' ? p.timeouts.udpS : p.timeouts.tcpS) * 1000;
}

/** The one forwarding method of a service, or why it cannot be rendered. */
function methodOf(spec: VirtualServiceSpec): 'NAT' | 'DR' | NotSupportedError {
  const methods = new Set([forwardingOf(spec), ...spec.realServers.map((r) => forwardingOf(spec, r))]);
  if (spec.sorryServer) methods.add(forwardingOf(spec, spec.sorryServer));
  if (methods.has('TUN')) {
    return new NotSupportedError('lb_kind TUN needs IP-in-IP tunnels (CONFIG_NET_IPIP), which this kernel lacks; see docs/dataplane-nft.md');
  }
  if (methods.size > 1) {
    // NAT is decided after conntrack, DR before it (netdev ingress): one service has one place to schedule.
    return new NotSupportedError('the nft engine needs one forwarding method per virtual service (lb_kind and every lvs_method alike)');
  }
  return methods.has('DR') ? 'DR' : 'NAT';
}

/** IPVS's overload flag: set at uthreshold, cleared below lthreshold (or 3/4 of uthreshold). */
function overloadedNow(p: PoolEntry, load: RsLoad, was: boolean): boolean {
  const total = load.active + load.inactive;
  if (p.upperThreshold <= 0) return false;
  if (total >= p.upperThreshold) return true;
  if (!was) return false;
  return p.lowerThreshold > 0 ? total >= p.lowerThreshold : total * 4 >= p.upperThreshold * 3;
}

function drRouteProblem(spec: VirtualServiceSpec, pool: readonly PoolEntry[], routes: PlanContext['routes']): NotSupportedError | undefined {
  for (const p of pool) {
    if (p.port !== spec.port) {
      return new NotSupportedError(`DR cannot change the port: real server ${p.key} must listen on the virtual port ${spec.port}`);
    }
    const r = routes?.get(p.address);
    if (r === undefined) return new NotSupportedError(`DR: no route known to real server ${p.address}`);
    if (r.local) return new NotSupportedError(`DR: real server ${p.address} is an address of this host`);
    if (r.gateway !== undefined) {
      return new NotSupportedError(`DR: real server ${p.address} is not on a directly connected network (route via ${r.gateway}); DR changes only the MAC address`);
    }
  }
  return undefined;
}

interface Built {
  readonly plan: ServicePlan;
  readonly state: SvcState;
  readonly deadline?: number;
}

function buildService(spec: VirtualServiceSpec, desired: DesiredState, id: number, old: SvcState | undefined, method: 'NAT' | 'DR', ctx: PlanContext): Built {
  const key = serviceKey(spec);
  const pool = poolOf(spec);
  const t = effectiveTimeouts(desired, spec);
  const timeouts = { tcpS: seconds(t.tcpMs), tcpFinS: seconds(t.tcpFinMs), udpS: seconds(t.udpMs) };
  const loads = ctx.loads?.get(key);
  let nextRsId = old?.nextRsId ?? 1;
  const rsState = new Map<string, RsState>();
  const overloaded = new Set<string>();
  const rsPlans: RsPlan[] = [];
  const members = pool.map((p) => {
    const rid = old?.rs.get(p.key)?.id ?? nextRsId++;
    rsState.set(p.key, { id: rid });
    const load = loads?.get(p.key) ?? { active: 0, inactive: 0 };
    const was = old?.overloaded.has(p.key) === true;
    const over = loads === undefined ? was && p.upperThreshold > 0 : overloadedNow(p, load, was);
    if (over) overloaded.add(p.key);
    const device = method === 'DR' ? ctx.routes?.get(p.address)?.device : undefined;
    rsPlans.push({
      id: rid, key: p.key, address: p.address, port: p.port, weight: p.weight, inPool: true, draining: false,
      sorry: p.sorry, overloaded: over, ...(device !== undefined ? { device } : {}),
    });
    return { entry: p, id: rid, activeConns: load.active, inactiveConns: load.inactive, overloaded: over };
  });
  const partial = { protocol: spec.protocol, timeouts };
  let deadline: number | undefined;
  // Servers that left the pool drain for one idle timeout.
  for (const [rsKey, st] of old?.rs ?? []) {
    if (rsState.has(rsKey)) continue;
    const since = st.drainingSince ?? ctx.now;
    if (ctx.now - since >= drainMs(partial)) continue;
    const lastPlan = old?.last?.realServers.find((r) => r.key === rsKey);
    if (lastPlan === undefined) continue;
    rsState.set(rsKey, { id: st.id, drainingSince: since });
    rsPlans.push({ ...lastPlan, weight: 0, inPool: false, draining: true, sorry: false, overloaded: false });
    deadline = Math.min(deadline ?? Infinity, since + drainMs(partial));
  }
  const configured = new Map(spec.realServers.map((r) => [endpointKey(r.address, r.port), r.weight]));
  const mhLastWeights = nextMhLastWeights(old?.mhLastWeights, pool, configured);
  const flags = { ...(spec.schedulerFlags ?? {}) };
  const dispatch = buildDispatch({
    scheduler: spec.scheduler, flags, members, mhLastWeights, expectedArrivals: ctx.arrivals?.get(key) ?? 0,
  });
  const address = canonicalAddress(spec.address);
  const plan: ServicePlan = {
    key, id, protocol: spec.protocol, family: address.includes(':') ? 6 : 4, address, port: spec.port,
    forwarding: method, scheduler: spec.scheduler, flags,
    ...(spec.persistence ? { persistence: { timeoutS: seconds(spec.persistence.timeoutMs), prefix: persistencePrefix(spec) } } : {}),
    timeouts, quorumUp: spec.quorumUp, sorryActive: !spec.quorumUp && spec.sorryServer !== undefined,
    realServers: rsPlans, dispatch, draining: false,
  };
  const state: SvcState = { id, nextRsId, rs: rsState, mhLastWeights, overloaded, last: plan };
  return { plan, state, ...(deadline !== undefined ? { deadline } : {}) };
}

/** What the kernel should hold for `desired`, given the bookkeeping of the previous plan. */
export function planNft(prev: NftState | undefined, desired: DesiredState, ctx: PlanContext): NftPlan {
  const services = new Map<string, SvcState>();
  const plans: ServicePlan[] = [];
  const draining: ServicePlan[] = [];
  const failures: ServiceFailure[] = [];
  let nextServiceId = prev?.nextServiceId ?? 1;
  let deadline: number | undefined;
  const keep = (d: number | undefined): void => {
    if (d !== undefined) deadline = Math.min(deadline ?? Infinity, d);
  };
  for (const spec of desired.services) {
    const key = serviceKey(spec);
    const old = prev?.services.get(key);
    const id = old?.id ?? nextServiceId++;
    let method = methodOf(spec);
    if (method === 'DR') method = drRouteProblem(spec, poolOf(spec), ctx.routes) ?? method;
    if (method instanceof NotSupportedError) {
      failures.push({ service: key, error: method });
      // Keep the id so the service's objects are replaced, not duplicated, once it can render.
      services.set(key, { id, nextRsId: old?.nextRsId ?? 1, rs: new Map(), mhLastWeights: new Map(), overloaded: new Set() });
      continue;
    }
    const built = buildService(spec, desired, id, old?.last?.forwarding === method ? old : old && { ...old, rs: new Map(), last: undefined }, method, ctx);
    services.set(key, built.state);
    plans.push(built.plan);
    keep(built.deadline);
  }
  // A removed DR service keeps forwarding its established flows for one idle timeout.
  for (const [key, old] of prev?.services ?? []) {
    if (services.has(key) || old.last === undefined || old.last.forwarding !== 'DR') continue;
    const since = old.drainingSince ?? ctx.now;
    const until = since + drainMs(old.last);
    if (ctx.now >= until) continue;
    const plan: ServicePlan = {
      ...old.last, draining: true, dispatch: { kind: 'none' },
      realServers: old.last.realServers.map((r) => ({ ...r, weight: 0, inPool: false, draining: true, overloaded: false })),
    };
    services.set(key, { ...old, drainingSince: since, last: plan });
    draining.push(plan);
    keep(until);
  }
  const all = [...plans, ...draining];
  const loadDriven = plans.some((p) => LOAD_DRIVEN.has(p.scheduler)) ||
    desired.services.some((s) => s.realServers.some((r) => (r.upperThreshold ?? 0) > 0));
  return {
    state: { nextServiceId, services },
    services: all,
    failures,
    ...(deadline !== undefined ? { nextDeadline: deadline } : {}),
    loadDriven,
  };
}
