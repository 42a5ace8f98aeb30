import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LocalityReplicatedScheduler } from '../../../src/dataplane/sched/lblcr.js';
import { dest, req } from './fixture.js';

const HOUR = 3_600_000;
const X = { destAddr: '203.0.113.50' };

test('lblcr keeps a destination on its server set and adds the wlc choice when the set is overloaded', () => {
  const s = new LocalityReplicatedScheduler();
  const p = [dest('a', 2), dest('b', 2, 1), dest('c', 2, 1)];
  const seq: string[] = [];
  for (let i = 0; i < 1000; i++) {
    const d = s.pick(p, req({ ...X, now: i }))!;
    seq.push(d.id);
    const m = p.find((x) => x.id === d.id)!;
    m.activeConns++;
    // Connections end on the busiest server now and then, so the set keeps being used.
    if (i % 3 === 2) {
      const busiest = p.reduce((x, y) => (y.activeConns > x.activeConns ? y : x));
      busiest.activeConns--;
    }
  }
  // a soon has more active connections than its weight, but b and c stay at 1 and
  // 1*2 < 2 is false: nobody is under half its weight, so a keeps taking connections.
  assert.ok(seq.every((id) => id === 'a'));
  assert.deepEqual(s.snapshot()[0]?.set, ['a']);
  // Free capacity appears on c: a (over its weight) must now share, c joins the set.
  p[2]!.activeConns = 0;
  p[2]!.weight = 100;
  assert.equal(s.pick(p, req({ ...X, now: 2000 }))?.id, 'c');
  assert.deepEqual(s.snapshot()[0]?.set, ['c', 'a']);
  assert.equal(s.snapshot()[0]?.lastmod, 2000);
  // Next picks use the least loaded member of the set (c), without growing it.
  assert.equal(s.pick(p, req({ ...X, now: 2001 }))?.id, 'c');
  assert.deepEqual(s.snapshot()[0]?.set, ['c', 'a']);
});

test('lblcr drops the most loaded member once the set has not changed for the expiration time', () => {
  const s = new LocalityReplicatedScheduler({ expirationMs: HOUR });
  const p = [dest('a', 1, 2), dest('b', 10), dest('c', 10, 0, 0, true)];
  assert.equal(s.pick(p, req({ ...X, now: 0 }))?.id, 'b');
  p[1]!.activeConns = 11; // b over weight
  p[0]!.activeConns = 0; // a under half of its weight? 0*2 < 1: yes
  assert.equal(s.pick(p, req({ ...X, now: 10 }))?.id, 'a');
  assert.deepEqual(s.snapshot()[0]?.set, ['a', 'b']);
  p[1]!.activeConns = 5;
  // Not yet: now must be strictly after lastmod + expiration.
  s.pick(p, req({ ...X, now: 10 + HOUR }));
  assert.deepEqual(s.snapshot()[0]?.set, ['a', 'b']);
  s.pick(p, req({ ...X, now: 11 + HOUR }));
  // set_max by overhead/weight: a 0/1 against b 5*256/10, so b goes.
  const set = s.snapshot()[0]?.set;
  assert.equal(set?.length, 1);
  assert.deepEqual(set, ['a'], 'b, the most loaded, left the set');
});

test('lblcr forgets servers that leave the pool and reschedules when no member can serve', () => {
  const s = new LocalityReplicatedScheduler();
  const p = [dest('a', 1), dest('b', 1, 1)];
  assert.equal(s.pick(p, req(X))?.id, 'a');
  assert.equal(s.pick([p[1]!], req(X))?.id, 'b');
  assert.deepEqual(s.snapshot()[0]?.set, ['b']);
  p[1]!.weight = 0;
  assert.equal(s.pick(p, req(X))?.id, 'a');
  assert.deepEqual(s.snapshot()[0]?.set, ['a', 'b']);
  assert.equal(s.pick([dest('z', 0)], req(X)), undefined);
  assert.equal(s.pick([], req({ destAddr: '203.0.113.51' })), undefined);
});

test('lblcr entries expire like lblc entries', () => {
  const s = new LocalityReplicatedScheduler();
  const p = [dest('a', 1)];
  s.pick(p, req({ ...X, now: 0 }));
  s.pick(p, req({ destAddr: '203.0.113.99', now: 23 * HOUR }));
  assert.equal(s.snapshot().length, 2);
  s.pick(p, req({ destAddr: '203.0.113.99', now: 25 * HOUR }));
  assert.deepEqual(s.snapshot().map((e) => e.destAddr), ['203.0.113.99']);
});
