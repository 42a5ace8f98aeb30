// How a service chooses the real server of a new flow, in a form nftables can evaluate:
// a slot number from `numgen` (rr, wrr, the load-driven ones) or `jhash` (sh, dh, mh),
// and a table from slot to real server. The tables come from the shared schedulers in
// ../sched, so the kernel picks what the proxy engine's pick() would:
//
//   rr   numgen inc over the available servers in pool order (exact);
//   wrr  numgen inc over one IPVS wrr cycle (the interleaved sequence, sum(w)/gcd long; exact);
//   sh   jhash ip saddr [. th sport] mod 256 over sourceHashEffectiveTable (exact);
//   dh   jhash ip daddr mod 256 over destHashEffectiveTable (exact);
//   mh   jhash ip saddr [. th sport] mod 4093 over the Maglev table (exact, last_weight kept);
//   fo   the highest-weight available server (exact: it does not depend on load);
//   ovf  the highest-weight server not over its weight in active connections, from the last reading;
//   lc wlc sed nq lblc lblcr twos: numgen random over water-filling shares (load-shares.ts).
// Pure.
import type { PoolEntry } from '../model.js';
import {
  MH_DEFAULT_TABLE_SIZE, WeightedFailoverScheduler, WeightedOverflowScheduler, WeightedRoundRobinScheduler,
  buildMaglevTable, destHashEffectiveTable, isAvailable, sourceHashEffectiveTable,
  type DestView, type SchedulerFlags, type SchedulerName,
} from '../sched/index.js';
import { integerShares, waterFill } from './load-shares.js';

/** A slot value meaning "no server": new flows in it are dropped. */
export const NO_SERVER = -1;

export type HashKey = 'saddr' | 'saddr-sport' | 'daddr';

export type Dispatch =
  | { readonly kind: 'none' }
  | { readonly kind: 'single'; readonly rs: number }
  | { readonly kind: 'numgen'; readonly mode: 'inc' | 'random'; readonly slots: readonly number[] }
  | { readonly kind: 'hash'; readonly key: HashKey; readonly slots: readonly number[] };

/** Longest wrr cycle / share table rendered; larger weights are scaled down to fit. */
export const MAX_CYCLE = 4096;

/** Slots the load-driven schedulers spread their shares over. */
export const LOAD_SLOTS = 256;

/** Schedulers the engine re-renders from connection counts. */
export const LOAD_DRIVEN: ReadonlySet<SchedulerName> = new Set(['lc', 'wlc', 'sed', 'nq', 'lblc', 'lblcr', 'twos', 'ovf']);

export interface DispatchMember {
  readonly entry: PoolEntry;
  /** The engine's id of this real server: what slots hold. */
  readonly id: number;
  readonly activeConns: number;
  readonly inactiveConns: number;
  readonly overloaded: boolean;
}

export interface DispatchInput {
  readonly scheduler: SchedulerName;
  readonly flags: SchedulerFlags;
  readonly members: readonly DispatchMember[];
  /** mh: each server's last non-zero weight (the table is built from these). */
  readonly mhLastWeights?: ReadonlyMap<string, number>;
  /** Load-driven schedulers: new connections expected before the next reading (at least 1 is assumed). */
  readonly expectedArrivals?: number;
}

function gcd(a: number, b: number): number {
  let x = a;
  let y = b;
  while (y !== 0) [x, y] = [y, x % y];
  return x;
}

function view(m: DispatchMember): DestView {
  return { id: m.entry.key, weight: m.entry.weight, activeConns: m.activeConns, inactiveConns: m.inactiveConns, overloaded: m.overloaded };
}

/** Collapse a table where every slot holds the same value. */
function normalise(d: Dispatch): Dispatch {
  if (d.kind !== 'numgen' && d.kind !== 'hash') return d;
  const first = d.slots[0];
  if (first === undefined) return { kind: 'none' };
  if (d.slots.every((s) => s === first)) return first === NO_SERVER ? { kind: 'none' } : { kind: 'single', rs: first };
  return d;
}

/** One IPVS wrr cycle over `members` (weights scaled to fit MAX_CYCLE), as ids. */
export function wrrCycle(members: readonly DispatchMember[]): number[] {
  const avail = members.filter((m) => isAvailable(view(m)));
  let weights = avail.map((m) => m.entry.weight);
  const g = weights.reduce((a, w) => gcd(a, w), 0);
  let sum = weights.reduce((a, w) => a + w, 0) / Math.max(1, g);
  if (sum > MAX_CYCLE) {
    // Keep the proportions as far as MAX_CYCLE slots allow; every server keeps >= 1.
    const total = weights.reduce((a, w) => a + w, 0);
    weights = weights.map((w) => Math.max(1, Math.round((w * MAX_CYCLE) / total)));
    sum = weights.reduce((a, w) => a + w, 0) / Math.max(1, weights.reduce((a, w) => gcd(a, w), 0));
  }
  const dests: DestView[] = avail.map((m, i) => ({ id: m.entry.key, weight: weights[i]!, activeConns: 0, inactiveConns: 0 }));
  const sched = new WeightedRoundRobinScheduler();
  const byKey = new Map(avail.map((m) => [m.entry.key, m.id]));
  const out: number[] = [];
  for (let i = 0; i < sum; i++) {
    const d = sched.pick(dests);
    if (d === undefined) break;
    out.push(byKey.get(d.id)!);
  }
  return out;
}

function tableIds(table: Int32Array, members: readonly DispatchMember[]): number[] {
  return Array.from(table, (i) => (i >= 0 ? members[i]!.id : NO_SERVER));
}

function loadDriven(input: DispatchInput): Dispatch {
  const { scheduler, members } = input;
  const views = members.map(view);
  if (scheduler === 'ovf') {
    const d = new WeightedOverflowScheduler().pick(views);
    return d === undefined ? { kind: 'none' } : { kind: 'single', rs: members[views.indexOf(d)]!.id };
  }
  // lc weighs every available server alike; the others by weight. sed and nq count
  // active connections only ((active + 1) / weight); the rest IPVS's overhead.
  const activeOnly = scheduler === 'sed' || scheduler === 'nq';
  const loads = members.map((m, i) => ({
    weight: isAvailable(views[i]!) ? (scheduler === 'lc' ? 1 : m.entry.weight) : 0,
    overhead: activeOnly ? m.activeConns : m.activeConns * 256 + m.inactiveConns,
  }));
  // At least one arrival: with no recent traffic the next connection should still go to
  // the least loaded server, as lc would send it.
  const arrivals = Math.max(1, input.expectedArrivals ?? 0);
  const shares = integerShares(waterFill(loads, arrivals, activeOnly ? 1 : 256), LOAD_SLOTS);
  const slots: number[] = [];
  shares.forEach((n, i) => {
    for (let k = 0; k < n; k++) slots.push(members[i]!.id);
  });
  return normalise({ kind: 'numgen', mode: 'random', slots });
}

export function buildDispatch(input: DispatchInput): Dispatch {
  const { scheduler, flags, members } = input;
  const views = members.map(view);
  const hashKey: HashKey = flags.port === true ? 'saddr-sport' : 'saddr';
  switch (scheduler) {
    case 'rr':
      return normalise({ kind: 'numgen', mode: 'inc', slots: members.filter((_, i) => isAvailable(views[i]!)).map((m) => m.id) });
    case 'wrr':
      return normalise({ kind: 'numgen', mode: 'inc', slots: wrrCycle(members) });
    case 'sh':
      return normalise({ kind: 'hash', key: hashKey, slots: tableIds(sourceHashEffectiveTable(views, flags), members) });
    case 'dh':
      return normalise({ kind: 'hash', key: 'daddr', slots: tableIds(destHashEffectiveTable(views), members) });
    case 'mh':
      return normalise({
        kind: 'hash', key: hashKey,
        slots: tableIds(buildMaglevTable(views, MH_DEFAULT_TABLE_SIZE, flags, input.mhLastWeights), members),
      });
    case 'fo': {
      const d = new WeightedFailoverScheduler().pick(views);
      return d === undefined ? { kind: 'none' } : { kind: 'single', rs: members[views.indexOf(d)]!.id };
    }
    default:
      return loadDriven(input);
  }
}

/**
 * mh's last_weight bookkeeping (MaglevScheduler#sync): a server keeps the last non-zero
 * weight it had while in the pool, so quiescing it leaves the table alone.
 *
 * A server first seen at weight 0 (inhibit_on_failure and down when this director
 * started) starts from its configured weight (`configured`), not 0: a director that
 * started later then builds the same table as one that saw the server up, and DR flows
 * taken over after a failover hash to the same servers (docs/dataplane-nft.md). IPVS
 * starts such a destination at last_weight 0.
 */
export function nextMhLastWeights(prev: ReadonlyMap<string, number> | undefined, pool: readonly PoolEntry[], configured?: ReadonlyMap<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const p of pool) {
    const old = prev?.get(p.key);
    out.set(p.key, p.weight !== 0 ? p.weight : old ?? configured?.get(p.key) ?? 0);
  }
  return out;
}
