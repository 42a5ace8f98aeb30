// load-shares.ts: water filling, and how close the periodic approximation of lc comes to
// IPVS's exact lc. The simulation: connections arrive at random and last a random time;
// exact lc sends each to the least loaded server; the approximation reads the counts
// every `interval` connections and spreads the next ones at random by the water-filling
// shares. Both are scored by the spread (max - min) of active connections seen by
// arrivals; docs/dataplane-nft.md quotes the figures printed here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { integerShares, waterFill } from '../../../src/dataplane/nft/load-shares.js';

test('water filling gives out exactly the arrivals and levels the receivers', () => {
  fc.assert(fc.property(
    fc.array(fc.record({ weight: fc.integer({ min: 0, max: 10 }), overhead: fc.integer({ min: 0, max: 5000 }) }), { minLength: 1, maxLength: 6 }),
    fc.integer({ min: 1, max: 200 }),
    (servers, arrivals) => {
      const n = waterFill(servers, arrivals, 256);
      if (servers.every((s) => s.weight === 0)) return assert.ok(n.every((x) => x === 0));
      assert.ok(Math.abs(n.reduce((a, b) => a + b, 0) - arrivals) < 1e-6);
      const levels = servers.map((s, i) => (s.overhead + n[i]! * 256) / s.weight);
      const receiving = levels.filter((_, i) => n[i]! > 1e-9);
      const top = Math.max(...receiving);
      for (const l of receiving) assert.ok(Math.abs(l - top) < 1e-6, 'receivers end level');
      servers.forEach((s, i) => {
        if (s.weight === 0) assert.equal(n[i], 0);
        else if (n[i]! <= 1e-9) assert.ok(levels[i]! >= top - 1e-6, 'a server left out is already above the level');
      });
    },
  ));
});

test('integer shares keep the total and give every positive share a slot', () => {
  assert.deepEqual(integerShares([1, 1, 1], 256), [86, 85, 85]);
  assert.deepEqual(integerShares([0.001, 10], 100), [1, 99]);
  assert.deepEqual(integerShares([0, 0], 10), [0, 0]);
});

/** Deterministic PRNG (mulberry32) so the figures are reproducible. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function simulate(mode: 'exact' | 'approx', interval: number, seed: number): number {
  const rand = rng(seed);
  const servers = 4;
  const active = new Array<number>(servers).fill(0);
  const ends: { at: number; s: number }[] = [];
  let shares: number[] = [];
  let spread = 0;
  const total = 20_000;
  for (let t = 0; t < total; t++) {
    for (let i = ends.length - 1; i >= 0; i--) if (ends[i]!.at <= t) { active[ends[i]!.s]! -= 1; ends.splice(i, 1); }
    let s = 0;
    if (mode === 'exact') {
      for (let i = 1; i < servers; i++) if (active[i]! < active[s]!) s = i;
    } else {
      if (t % interval === 0) shares = waterFill(active.map((a) => ({ weight: 1, overhead: a })), interval, 1);
      const sum = shares.reduce((a, b) => a + b, 0);
      let r = rand() * sum;
      for (s = 0; s < servers - 1 && r >= shares[s]!; s++) r -= shares[s]!;
    }
    active[s]! += 1;
    // Mean lifetime 40 arrivals, heavy-tailed: 10% last ten times longer.
    const life = Math.ceil(-Math.log(1 - rand()) * (rand() < 0.1 ? 400 : 0.9 * 40 / 0.9));
    ends.push({ at: t + life, s });
    if (t > 1000) spread += Math.max(...active) - Math.min(...active);
  }
  return spread / (total - 1001);
}

test('the periodic approximation stays within a few connections of exact lc', () => {
  const rows: string[] = [];
  for (const interval of [1, 10, 50]) {
    const exact = simulate('exact', interval, 7);
    const approx = simulate('approx', interval, 7);
    rows.push(`interval ${interval}: mean spread exact ${exact.toFixed(2)}, approximated ${approx.toFixed(2)}`);
    assert.ok(approx <= exact + 1.5 * Math.sqrt(interval) + 2, rows.at(-1));
  }
  process.stdout.write(`lc approximation (4 servers, ~80 active connections):\n${rows.join('\n')}\n`);
});
