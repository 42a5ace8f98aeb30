import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WeightedFailoverScheduler } from '../../../src/dataplane/sched/fo.js';
import { WeightedOverflowScheduler } from '../../../src/dataplane/sched/ovf.js';
import { dest, req, tally } from './fixture.js';

test('fo sends everything to the highest-weight available server, then fails over in weight order', () => {
  const s = new WeightedFailoverScheduler();
  const p = [dest('b', 5), dest('a', 10), dest('c', 1), dest('d', 10)];
  const order: string[] = [];
  // Take the chosen server away (alternately overloaded and quiesced); 1000 picks per step.
  for (let step = 0; step < 4; step++) {
    const t = tally(Array.from({ length: 1000 }, () => s.pick(p, req())?.id));
    assert.equal(t.size, 1, `step ${step}: one server takes all`);
    const [only, n] = [...t.entries()][0]!;
    assert.equal(n, 1000);
    order.push(only);
    const d = p.find((x) => x.id === only)!;
    if (step % 2 === 0) d.overloaded = true;
    else d.weight = 0;
  }
  // a and d tie at 10: the first in pool order (a) comes first.
  assert.deepEqual(order, ['a', 'd', 'b', 'c']);
  assert.equal(s.pick(p, req()), undefined);
});

test('ovf fills the highest-weight server up to its weight in active connections, then overflows', () => {
  const s = new WeightedOverflowScheduler();
  const p = [dest('low', 2), dest('high', 5), dest('mid', 3)];
  const seq: string[] = [];
  for (let i = 0; i < 1200; i++) {
    const d = s.pick(p, req());
    if (d === undefined) break;
    seq.push(d.id);
    p.find((x) => x.id === d.id)!.activeConns++;
  }
  // ip_vs_ovf.c skips a server only when activeconns > weight, so each takes weight + 1.
  assert.deepEqual(seq, [...Array(6).fill('high'), ...Array(4).fill('mid'), ...Array(3).fill('low')]);
  assert.equal(s.pick(p, req()), undefined);
  // A connection ending on `high` brings it back first.
  p[1]!.activeConns = 5;
  assert.equal(s.pick(p, req())?.id, 'high');
});

test('ovf never uses quiesced or overloaded servers', () => {
  const s = new WeightedOverflowScheduler();
  assert.equal(s.pick([dest('a', 0), dest('b', 9, 0, 0, true)], req()), undefined);
  assert.equal(s.pick([dest('a', 0), dest('b', 9, 0, 0, true), dest('c', 1, 1)], req())?.id, 'c');
});
