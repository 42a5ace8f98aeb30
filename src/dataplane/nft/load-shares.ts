// How the nftables engine approximates the connection-counting schedulers (lc, wlc, sed,
// nq, lblc, lblcr, twos). nftables cannot compare live counters per packet, so the engine
// reads the connection counts every few hundred milliseconds (conntrack for NAT, its own
// flow sets for DR) and renders the share of new connections each real server should get
// until the next reading: water filling. With k connections expected before the next
// reading, it finds the level L where giving server i
//
//     n_i = max(0, (L * w_i - overhead_i) / unit)
//
// new connections sums to k, i.e. the allocation that would leave every server at the
// same overhead/weight if all k arrived at once and none ended. That is the state exact
// least-connection reaches by choosing one connection at a time; the difference is only
// inside one interval, where the new connections are spread at random in proportion to
// n_i instead of strictly to the least loaded server. Pure.

export interface LoadInput {
  /** Scheduler weight (1 for lc); 0 or below means the server takes nothing. */
  readonly weight: number;
  /** The scheduler's load measure: IPVS overhead active*256+inactive (lc, wlc) or active (sed, nq). */
  readonly overhead: number;
}

/**
 * Expected new connections per server for `arrivals` new ones, each adding `unit` to the
 * overhead of the server it lands on. Servers with weight 0 get 0. When `arrivals` is 0
 * the shares are the weights (what the first connection would see with no history).
 */
export function waterFill(servers: readonly LoadInput[], arrivals: number, unit: number): number[] {
  const live = servers.map((s, i) => ({ i, w: s.weight > 0 ? s.weight : 0, o: Math.max(0, s.overhead) })).filter((s) => s.w > 0);
  const out = servers.map(() => 0);
  if (live.length === 0) return out;
  if (!(arrivals > 0)) {
    for (const s of live) out[s.i] = s.w;
    return out;
  }
  // Servers join the pool of receivers in order of their current level o/w; the level
  // rises until the receivers together took `arrivals` units.
  live.sort((a, b) => a.o / a.w - b.o / b.w);
  const budget = arrivals * unit;
  let sumW = 0;
  let sumO = 0;
  let level = 0;
  let k = 0;
  for (; k < live.length; k++) {
    const s = live[k]!;
    sumW += s.w;
    sumO += s.o;
    level = (budget + sumO) / sumW;
    const next = live[k + 1];
    if (next === undefined || level <= next.o / next.w) break;
  }
  for (let j = 0; j <= k && j < live.length; j++) {
    const s = live[j]!;
    out[s.i] = Math.max(0, (level * s.w - s.o) / unit);
  }
  return out;
}

/**
 * Integer shares summing to about `total` from real-valued ones, by largest remainder;
 * a server with a positive share keeps at least 1 so it is not starved by rounding.
 */
export function integerShares(shares: readonly number[], total: number): number[] {
  const sum = shares.reduce((a, b) => a + (b > 0 ? b : 0), 0);
  if (!(sum > 0)) return shares.map(() => 0);
  const exact = shares.map((s) => (s > 0 ? (s / sum) * total : 0));
  const out = exact.map((e, i) => (shares[i]! > 0 ? Math.max(1, Math.floor(e)) : 0));
  let left = total - out.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => ({ i, r: e - Math.floor(e) })).filter((x) => shares[x.i]! > 0).sort((a, b) => b.r - a.r || a.i - b.i);
  for (let j = 0; left > 0 && order.length > 0; j = (j + 1) % order.length, left--) {
    const at = order[j]!.i;
    out[at] = (out[at] ?? 0) + 1;
  }
  return out;
}
