import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConnTable, TrackedConn } from '../../../src/dataplane/proxy/conn-table.js';

class Probe extends TrackedConn {
  expired: number[] = [];
  constructor(readonly table: ConnTable, readonly name: string, now: number, timeout: number, readonly removeSelf = true) {
    super(now, timeout);
  }
  expire(now: number): void {
    this.expired.push(now);
    if (this.removeSelf) this.table.remove(this);
  }
}

test('sweep expires exactly the entries idle for their timeout, even as they unlink themselves', () => {
  const t = new ConnTable();
  const a = new Probe(t, 'a', 0, 100);
  const b = new Probe(t, 'b', 0, 300);
  const c = new Probe(t, 'c', 50, 100);
  for (const p of [a, b, c]) t.add(p);
  t.sweep(99);
  assert.deepEqual([a.expired, b.expired, c.expired], [[], [], []]);
  t.sweep(100);
  assert.deepEqual([a.expired, b.expired, c.expired], [[100], [], []]);
  assert.equal(t.size, 2);
  c.last = 120; // activity
  t.sweep(200);
  assert.deepEqual(c.expired, []);
  c.last = 250;
  t.sweep(300);
  assert.deepEqual([b.expired, c.expired], [[300], []]);
  assert.deepEqual([...t].map((p) => (p as Probe).name), ['c']);
});

test('an entry that stays after expiring (a connect retry) is swept again later', () => {
  const t = new ConnTable();
  const p = new Probe(t, 'retry', 0, 10, false);
  t.add(p);
  t.sweep(10);
  p.last = 10;
  t.sweep(15);
  t.sweep(20);
  assert.deepEqual(p.expired, [10, 20]);
  t.remove(p);
  t.remove(p); // removing twice is harmless
  assert.equal(t.size, 0);
});
