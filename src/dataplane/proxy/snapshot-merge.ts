// Summing the snapshots of several proxy processes into one, as IPVS sums its per-CPU
// counters before estimating: connection counts and totals add up, configuration
// (weights, listener state) comes from the primary, and rates are recomputed by the
// caller's estimators over the summed totals. Pure.

import type {
  ConnectionSnapshot, DataplaneSnapshot, RealServerSnapshot, ServiceSnapshot, StatsSnapshot,
} from '../dataplane.js';
import { Counters, statsSnapshot, ZERO_RATES, type CounterValues, type Rates } from '../stats.js';

/** Key of a service's counters, or of one destination within it. */
export const statsKey = (service: string, dest?: string): string => (dest === undefined ? service : `${service}|${dest}`);
export const TOTALS_KEY = '*';

/** Every counter set in `snap` by statsKey (services, their destinations, and totals). */
export function countersOf(snap: DataplaneSnapshot): Map<string, CounterValues> {
  const out = new Map<string, CounterValues>();
  out.set(TOTALS_KEY, snap.totals);
  for (const s of snap.services) {
    out.set(statsKey(s.key), s.stats);
    for (const d of s.realServers) out.set(statsKey(s.key, d.key), d.stats);
  }
  return out;
}

/** Add `more` into `into`, key by key. */
export function addCounters(into: Map<string, Counters>, more: ReadonlyMap<string, CounterValues>): void {
  for (const [k, v] of more) {
    let c = into.get(k);
    if (!c) into.set(k, (c = new Counters()));
    c.add(v);
  }
}

function addDest(a: RealServerSnapshot, b: RealServerSnapshot): RealServerSnapshot {
  return {
    ...a,
    activeConns: a.activeConns + b.activeConns,
    inactiveConns: a.inactiveConns + b.inactiveConns,
    persistConns: a.persistConns + b.persistConns,
    overloaded: a.overloaded || b.overloaded,
    draining: a.draining && b.draining,
  };
}

const withStats = <T extends { stats: StatsSnapshot }>(x: T, c: CounterValues | undefined, r: Rates): T =>
  ({ ...x, stats: statsSnapshot(c ?? x.stats, r) });

/**
 * One snapshot for the whole engine: the primary's services and destinations (a worker
 * may still drain one the primary has forgotten: it is appended), connection counts
 * summed, counters taken from `sums` (already added across processes, plus processes
 * gone) and rates from `rates`.
 */
export function mergeSnapshots(
  primary: DataplaneSnapshot,
  workers: readonly DataplaneSnapshot[],
  sums: ReadonlyMap<string, CounterValues>,
  rates: (key: string) => Rates = () => ZERO_RATES,
): DataplaneSnapshot {
  const services: ServiceSnapshot[] = primary.services.map((s) => {
    const dests = new Map(s.realServers.map((d) => [d.key, d]));
    for (const w of workers) {
      const ws = w.services.find((x) => x.key === s.key);
      for (const d of ws?.realServers ?? []) {
        const mine = dests.get(d.key);
        dests.set(d.key, mine ? addDest(mine, d) : d);
      }
    }
    const realServers = [...dests.values()].map((d) => withStats(d, sums.get(statsKey(s.key, d.key)), rates(statsKey(s.key, d.key))));
    return { ...withStats(s, sums.get(statsKey(s.key)), rates(statsKey(s.key))), realServers };
  });
  const merged: DataplaneSnapshot = {
    ...primary,
    services,
    totals: statsSnapshot(sums.get(TOTALS_KEY) ?? primary.totals, rates(TOTALS_KEY)),
  };
  if (!primary.connections) return merged;
  const connections: ConnectionSnapshot[] = [...primary.connections];
  for (const w of workers) connections.push(...(w.connections ?? []));
  return { ...merged, connections };
}
