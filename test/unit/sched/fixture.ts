// Builders shared by the scheduler tests: pools, requests and a tiny connection-count
// simulator. Not a test file itself (the runner only loads *.test.js).
import type { DestView, SchedRequest } from '../../../src/dataplane/sched/types.js';

export interface MutableDest {
  id: string;
  weight: number;
  activeConns: number;
  inactiveConns: number;
  overloaded?: boolean;
}

export function dest(id: string, weight: number, activeConns = 0, inactiveConns = 0, overloaded = false): MutableDest {
  return { id, weight, activeConns, inactiveConns, overloaded };
}

/** A pool "10.0.0.N:80" with the given weights. */
export function pool(...weights: number[]): MutableDest[] {
  return weights.map((w, i) => dest(`10.0.0.${i + 1}:80`, w));
}

export function req(over: Partial<SchedRequest> = {}): SchedRequest {
  return { clientAddr: '198.51.100.7', clientPort: 40000, destAddr: '203.0.113.1', destPort: 80, now: 0, ...over };
}

/** The n-th client address in 198.18.0.0/15, n < 131072. */
export function clientAddr(n: number): string {
  return `198.${18 + (n >> 16)}.${(n >> 8) & 0xff}.${n & 0xff}`;
}

/** Count how many picks each id received. */
export function tally(ids: readonly (string | undefined)[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const id of ids) m.set(id ?? '(none)', (m.get(id ?? '(none)') ?? 0) + 1);
  return m;
}

export function ids(ds: readonly (DestView | undefined)[]): (string | undefined)[] {
  return ds.map((d) => d?.id);
}

/** mulberry32: a small seeded PRNG so simulations are reproducible. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
