import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RoundRobinScheduler } from '../../../src/dataplane/sched/rr.js';
import { dest, ids, pool, req } from './fixture.js';

test('rr cycles through the pool in order, exactly, over 1200 picks', () => {
  const s = new RoundRobinScheduler();
  const p = pool(1, 5, 1, 100);
  const got = ids(Array.from({ length: 1200 }, () => s.pick(p, req())));
  got.forEach((id, i) => assert.equal(id, p[i % 4]!.id, `pick ${i}`));
});

test('rr skips quiesced and overloaded servers and resumes where it was', () => {
  const s = new RoundRobinScheduler();
  const p = pool(1, 1, 1, 1);
  assert.deepEqual(ids([s.pick(p, req()), s.pick(p, req())]), [p[0]!.id, p[1]!.id]);
  p[2]!.weight = 0;
  p[3]!.overloaded = true;
  assert.deepEqual(ids([s.pick(p, req()), s.pick(p, req()), s.pick(p, req())]), [p[0]!.id, p[1]!.id, p[0]!.id]);
  p[3]!.overloaded = false;
  assert.deepEqual(ids([s.pick(p, req()), s.pick(p, req())]), [p[1]!.id, p[3]!.id]);
});

test('rr returns undefined for an empty or all-unavailable pool', () => {
  const s = new RoundRobinScheduler();
  assert.equal(s.pick([], req()), undefined);
  assert.equal(s.pick([dest('a', 0), dest('b', 3, 0, 0, true)], req()), undefined);
});

test('rr continues with the successor when the last chosen server leaves (ip_vs_rr_del_dest)', () => {
  const s = new RoundRobinScheduler();
  const [a, b, c, d] = pool(1, 1, 1, 1) as [ReturnType<typeof dest>, ReturnType<typeof dest>, ReturnType<typeof dest>, ReturnType<typeof dest>];
  assert.equal(s.pick([a, b, c, d], req())?.id, a.id);
  assert.equal(s.pick([a, b, c, d], req())?.id, b.id);
  // b (the last choice) leaves: the next pick is the one after it, c.
  assert.equal(s.pick([a, c, d], req())?.id, c.id);
  // A new server appended does not disturb the position.
  const e = dest('10.0.0.9:80', 1);
  assert.deepEqual(ids([s.pick([a, c, d, e], req()), s.pick([a, c, d, e], req()), s.pick([a, c, d, e], req())]), [d.id, e.id, a.id]);
});
