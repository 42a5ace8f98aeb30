// The shared scheduling segment seen by two "processes": two SharedState views (process
// slots 0 and 1) over one buffer, as the daemon and a worker map one memfd. Templates,
// counts and locks behave as one table, and a dead process's share can be taken back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { SEGMENT_BYTES, SharedState } from '../../../src/dataplane/proxy/shared-state.js';
import { SharedTemplates } from '../../../src/dataplane/proxy/shared-templates.js';
import type { PersistDest } from '../../../src/dataplane/proxy/persistence.js';

interface FakeDest extends PersistDest { readonly slot: number; weight: number; inPool: boolean }

function pair(): [SharedState, SharedState] {
  const buf = new ArrayBuffer(SEGMENT_BYTES);
  const daemon = new SharedState(buf, 0, () => undefined, 0);
  daemon.format(2);
  daemon.setPid(0, process.pid);
  const worker = new SharedState(buf, 1, () => undefined, 0);
  worker.check();
  worker.setPid(1, process.pid);
  return [daemon, worker];
}

function templates(st: SharedState, dests: FakeDest[]): SharedTemplates<FakeDest> {
  return new SharedTemplates(st, 0, { timeoutMs: 1000, prefix: 32 }, {
    destOf: (slot) => dests.find((d) => d.slot === slot),
    slotOf: (d) => d.slot,
  });
}

function fakeDests(st: SharedState): FakeDest[] {
  return [3, 4].map((slot) => ({
    slot, weight: 1, inPool: true,
    get persistConns() { return st.persistConns(slot); },
    set persistConns(_n: number) { throw new Error('shared templates count persistconns themselves'); },
  }));
}

test('a template made by one process is found by the other; persistconns counts it once', () => {
  const [a, b] = pair();
  const da = fakeDests(a);
  const ta = templates(a, da);
  const tb = templates(b, fakeDests(b));
  const t = ta.create(ta.keyFor('192.0.2.7'), da[1]!, 0)!;
  ta.attach(t, 0);
  const seen = tb.find(tb.keyFor('192.0.2.7'), 10);
  assert.equal(seen?.dest.slot, 4);
  assert.equal(a.persistConns(4), 1);
  assert.equal(tb.find('192.0.2.8', 10), undefined);
  // IPv6 keys are distinct from IPv4 ones.
  assert.equal(tb.find('::ffff:c000:208', 10), undefined);
  assert.equal([...ta.entries()].length, 1);
  assert.equal([...tb.entries()].length, 0, 'only the daemon lists templates');
});

test('a template lives while any process holds connections through it; a dead process lets go', () => {
  const [a, b] = pair();
  const da = fakeDests(a);
  const ta = templates(a, da);
  const tb = templates(b, fakeDests(b));
  ta.create('198.51.100.1', da[0]!, 0);
  const t = tb.find('198.51.100.1', 0)!;
  tb.attach(t, 0);
  // The daemon's timer fires at 1000: the worker still holds a connection, so it is re-armed.
  assert.ok(ta.sweep(1500) !== undefined);
  assert.ok(ta.find('198.51.100.1', 1600));
  // The worker dies: the daemon clears its marks, and the next due sweep drops the template.
  a.recover(1, [{ slot: 0, table: 0 }], [3, 4]);
  ta.sweep(5000);
  assert.equal(ta.find('198.51.100.1', 5000), undefined);
  assert.equal(a.persistConns(3), 0);
  // The worker's stale handle is ignored once the entry is gone.
  tb.detach(t);
  assert.equal(a.persistConns(3), 0);
});

test('recovery recounts persistconns from the table (a worker may die between the two)', () => {
  const [a, b] = pair();
  const tb = templates(b, fakeDests(b));
  tb.create('203.0.113.9', fakeDests(b)[1]!, 0);
  // As if the worker died after writing the entry but before counting it.
  b.addPersist(4, -1);
  assert.equal(a.persistConns(4), 0);
  a.recover(1, [{ slot: 0, table: 0, dests: [3, 4] }], [3, 4]);
  assert.equal(a.persistConns(4), 1);
  assert.equal(a.persistConns(3), 0);
});

test('connection counts are per process, summed on read, and a dead process\'s share is zeroed', () => {
  const [a, b] = pair();
  a.addOwn(7, 2, 1);
  b.addOwn(7, 5, 3);
  assert.equal(a.active(7), 7);
  assert.equal(b.inactive(7), 4);
  a.recover(1, [], [7]);
  assert.equal(a.active(7), 2);
  assert.equal(a.inactive(7), 1);
  assert.equal(a.destIdle(7), false);
  a.addOwn(7, -2, -1);
  assert.equal(a.destIdle(7), true);
});

test('a lock held by a process that died is taken over; a released lock is free', () => {
  const [a, b] = pair();
  a.lock(5);
  // The holder's pid is gone (a process that has exited).
  const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
  a.setPid(0, dead);
  b.lock(5);
  b.unlock(5);
  a.lock(5);
  a.unlock(5);
  assert.throws(() => { b.lock(6); b.lock(6); }, /taken twice/);
});

test('the schedulers\' store is one for both processes', () => {
  const [a, b] = pair();
  a.store(2).set(1, 42);
  assert.equal(b.store(2).get(1), 42);
  a.resetService(2);
  assert.equal(b.store(2).get(1), 0);
});
