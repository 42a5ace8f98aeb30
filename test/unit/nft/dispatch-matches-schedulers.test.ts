// dispatch.ts: the tables the kernel evaluates pick what the shared schedulers pick.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildDispatch, LOAD_SLOTS, nextMhLastWeights, NO_SERVER, wrrCycle, type DispatchMember } from '../../../src/dataplane/nft/dispatch.js';
import {
  MaglevScheduler, SourceHashScheduler, WeightedRoundRobinScheduler, maglevBucket, sourceHashBucket, type DestView,
} from '../../../src/dataplane/sched/index.js';
import type { PoolEntry } from '../../../src/dataplane/model.js';

const entry = (n: number, weight: number): PoolEntry => ({
  key: `192.0.2.${n}:80`, address: `192.0.2.${n}`, port: 80, weight, upperThreshold: 0, lowerThreshold: 0, sorry: false,
});
const member = (n: number, weight: number, id = n, active = 0, inactive = 0): DispatchMember => ({ entry: entry(n, weight), id, activeConns: active, inactiveConns: inactive, overloaded: false });
const view = (m: DispatchMember): DestView => ({ id: m.entry.key, weight: m.entry.weight, activeConns: 0, inactiveConns: 0 });

test('rr: the available servers in pool order; quiesced ones skipped', () => {
  assert.deepEqual(buildDispatch({ scheduler: 'rr', flags: {}, members: [member(1, 1, 7), member(2, 0, 8), member(3, 5, 9)] }),
    { kind: 'numgen', mode: 'inc', slots: [7, 9] });
  assert.deepEqual(buildDispatch({ scheduler: 'rr', flags: {}, members: [member(1, 0)] }), { kind: 'none' });
  assert.deepEqual(buildDispatch({ scheduler: 'rr', flags: {}, members: [member(1, 3, 4)] }), { kind: 'single', rs: 4 });
});

test('wrr: one cycle is exactly the sequence IPVS wrr produces', () => {
  fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 12 }), { minLength: 1, maxLength: 5 }), (weights) => {
    const members = weights.map((w, i) => member(i + 1, w));
    const cycle = wrrCycle(members);
    const sched = new WeightedRoundRobinScheduler();
    const dests = members.filter((m) => m.entry.weight > 0).map(view);
    const want = cycle.map(() => Number(sched.pick(dests)!.id.split('.')[3]!.split(':')[0]));
    assert.deepEqual(cycle, want);
    const total = weights.reduce((a, b) => a + b, 0);
    for (const [i, w] of weights.entries()) assert.equal(cycle.filter((id) => id === i + 1).length * total, w * cycle.length, 'share = weight');
  }));
  assert.deepEqual(wrrCycle([member(1, 4), member(2, 3), member(3, 2)]), [1, 1, 2, 1, 2, 3, 1, 2, 3]);
});

test('wrr: huge weights are scaled to fit the cycle limit, keeping proportions', () => {
  const cycle = wrrCycle([member(1, 1_000_000), member(2, 3_000_001)]);
  assert.ok(cycle.length <= 4096);
  const a = cycle.filter((x) => x === 1).length;
  assert.ok(Math.abs(a / cycle.length - 0.25) < 0.01, `${a}/${cycle.length}`);
});

test('sh and mh: slot of a client = the server pick() chooses, with and without port and fallback', () => {
  const members = [member(1, 1, 11), member(2, 2, 12), member(3, 0, 13)];
  const dests = members.map(view);
  for (const flags of [{}, { port: true }, { fallback: true }, { port: true, fallback: true }]) {
    const sh = buildDispatch({ scheduler: 'sh', flags, members });
    const mh = buildDispatch({ scheduler: 'mh', flags, members, mhLastWeights: nextMhLastWeights(undefined, members.map((m) => m.entry)) });
    assert.equal(sh.kind, 'hash');
    assert.equal(mh.kind, 'hash');
    if (sh.kind !== 'hash' || mh.kind !== 'hash') return;
    assert.equal(sh.key, flags.port === true ? 'saddr-sport' : 'saddr');
    assert.deepEqual([sh.slots.length, mh.slots.length], [256, 4093]);
    const shS = new SourceHashScheduler(flags);
    const mhS = new MaglevScheduler(flags);
    for (let c = 0; c < 300; c++) {
      const req = { clientAddr: `198.51.100.${c % 250}`, clientPort: 1024 + c, destAddr: '203.0.113.10', destPort: 80, now: 0 };
      const idOf = (d: DestView | undefined): number => (d === undefined ? NO_SERVER : members[dests.indexOf(d)]!.id);
      assert.equal(sh.slots[sourceHashBucket(req, flags)], idOf(shS.pick(dests, req)), `sh ${JSON.stringify(flags)} ${req.clientAddr}`);
      assert.equal(mh.slots[maglevBucket(req, 4093, flags)], idOf(mhS.pick(dests, req)), `mh ${JSON.stringify(flags)} ${req.clientAddr}`);
    }
  }
});

test('mh keeps a quiesced server\'s positions (last_weight): its clients get no server, the others stay put', () => {
  const up = [member(1, 1), member(2, 1)];
  const last = nextMhLastWeights(undefined, up.map((m) => m.entry));
  const before = buildDispatch({ scheduler: 'mh', flags: {}, members: up, mhLastWeights: last });
  const quiesced = [member(1, 1), member(2, 0)];
  const after = buildDispatch({ scheduler: 'mh', flags: {}, members: quiesced, mhLastWeights: nextMhLastWeights(last, quiesced.map((m) => m.entry)) });
  assert.ok(before.kind === 'hash' && after.kind === 'hash');
  if (before.kind !== 'hash' || after.kind !== 'hash') return;
  before.slots.forEach((s, i) => assert.equal(after.slots[i], s === 2 ? NO_SERVER : s));
});

test('fo: the highest weight; ovf: the highest weight still under its weight in active connections', () => {
  assert.deepEqual(buildDispatch({ scheduler: 'fo', flags: {}, members: [member(1, 2), member(2, 5), member(3, 5)] }), { kind: 'single', rs: 2 });
  assert.deepEqual(buildDispatch({ scheduler: 'ovf', flags: {}, members: [member(1, 2, 1, 0), member(2, 5, 2, 6), member(3, 3, 3, 1)] }), { kind: 'single', rs: 3 });
});

test('load-driven: shares follow the water level, and weights when nothing is loaded', () => {
  const idle = buildDispatch({ scheduler: 'wlc', flags: {}, members: [member(1, 1), member(2, 3)] });
  assert.ok(idle.kind === 'numgen' && idle.mode === 'random' && idle.slots.length === LOAD_SLOTS);
  if (idle.kind !== 'numgen') return;
  assert.equal(idle.slots.filter((s) => s === 2).length, 192, 'weights 1:3 with no load');
  const loaded = buildDispatch({ scheduler: 'lc', flags: {}, members: [member(1, 1, 1, 10), member(2, 1, 2, 0)], expectedArrivals: 4 });
  assert.deepEqual(loaded, { kind: 'single', rs: 2 }, 'four new connections all fit below the loaded server');
  const even = buildDispatch({ scheduler: 'lc', flags: {}, members: [member(1, 1, 1, 2), member(2, 1, 2, 0)], expectedArrivals: 6 });
  assert.ok(even.kind === 'numgen');
  if (even.kind !== 'numgen') return;
  assert.deepEqual([even.slots.filter((s) => s === 1).length, even.slots.filter((s) => s === 2).length], [85, 171], 'six arrivals: 2 + 2 = 0 + 4, shares 2:4 of 256 slots');
});

test('mh: a director that starts while a server is inhibited builds the table of one that saw it up (DR takeover hashes alike)', () => {
  const up = [member(1, 1), member(2, 1), member(3, 1)];
  const seenUp = nextMhLastWeights(undefined, up.map((m) => m.entry));
  const inhibited = [member(1, 1), member(2, 0), member(3, 1)];
  const longRunning = buildDispatch({ scheduler: 'mh', flags: {}, members: inhibited, mhLastWeights: nextMhLastWeights(seenUp, inhibited.map((m) => m.entry)) });
  const configured = new Map(up.map((m) => [m.entry.key, m.entry.weight]));
  const freshStart = buildDispatch({ scheduler: 'mh', flags: {}, members: inhibited, mhLastWeights: nextMhLastWeights(undefined, inhibited.map((m) => m.entry), configured) });
  assert.deepEqual(freshStart, longRunning);
  // Without the configured weight (IPVS's last_weight 0) the tables differ.
  const ipvsLike = buildDispatch({ scheduler: 'mh', flags: {}, members: inhibited, mhLastWeights: nextMhLastWeights(undefined, inhibited.map((m) => m.entry)) });
  assert.notDeepEqual(ipvsLike, longRunning);
});
