// rr and wrr keep their position in a SchedStore: several scheduler instances (as in
// several proxy processes) over one store walk one IPVS sequence, however their picks
// interleave, and a reload seen by one instance first is remapped once for all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RoundRobinScheduler } from '../../../src/dataplane/sched/rr.js';
import { WeightedRoundRobinScheduler } from '../../../src/dataplane/sched/wrr.js';
import { LocalStore } from '../../../src/dataplane/sched/store.js';
import { ids, pool, prng, req } from './fixture.js';

test('three rr instances on one store pick exactly as one rr, in any interleaving', () => {
  const store = new LocalStore();
  const procs = [0, 1, 2].map(() => new RoundRobinScheduler(store));
  const one = new RoundRobinScheduler();
  const p = pool(1, 1, 1, 1, 1);
  const rnd = prng(7);
  for (let i = 0; i < 500; i++) {
    const s = procs[Math.floor(rnd() * 3)]!;
    assert.equal(s.pick(p, req())?.id, one.pick(p, req())?.id, `pick ${i}`);
  }
});

test('three wrr instances on one store pick exactly as one wrr (weights 4,3,2)', () => {
  const store = new LocalStore();
  const procs = [0, 1, 2].map(() => new WeightedRoundRobinScheduler(store));
  const one = new WeightedRoundRobinScheduler();
  const p = pool(4, 3, 2);
  const rnd = prng(11);
  for (let i = 0; i < 900; i++) {
    const s = procs[Math.floor(rnd() * 3)]!;
    assert.equal(s.pick(p, req())?.id, one.pick(p, req())?.id, `pick ${i}`);
  }
});

test('rr on one store: the server that was last chosen leaves; every instance continues with its successor', () => {
  const store = new LocalStore();
  const [a, b] = [new RoundRobinScheduler(store), new RoundRobinScheduler(store)];
  const p = pool(1, 1, 1, 1);
  assert.deepEqual(ids([a.pick(p, req()), b.pick(p, req())]), [p[0]!.id, p[1]!.id]);
  const next = [p[0]!, p[2]!, p[3]!];
  // b sees the reload first and remaps; a, whose last view was the same old pool, must not remap again.
  assert.equal(b.pick(next, req())?.id, p[2]!.id);
  assert.equal(a.pick(next, req())?.id, p[3]!.id);
  assert.equal(b.pick(next, req())?.id, p[0]!.id);
});

test('rr and wrr never read each other\'s words in one store', () => {
  const store = new LocalStore();
  const p = pool(3, 1);
  const r = new RoundRobinScheduler(store);
  r.pick(p, req());
  r.pick(p, req());
  // A reload switched the service to wrr: it starts from the head, as a fresh wrr does.
  const w = new WeightedRoundRobinScheduler(store);
  const fresh = new WeightedRoundRobinScheduler();
  for (let i = 0; i < 8; i++) assert.equal(w.pick(p, req())?.id, fresh.pick(p, req())?.id);
});
