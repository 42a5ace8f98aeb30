import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SCHEDULER_NAMES, createScheduler, isSchedulerName } from '../../../src/dataplane/sched/index.js';

test('every ipvsadm scheduler name is known and creates a scheduler of that name', () => {
  assert.deepEqual([...SCHEDULER_NAMES].sort(), ['dh', 'fo', 'lblc', 'lblcr', 'lc', 'mh', 'nq', 'ovf', 'rr', 'sed', 'sh', 'twos', 'wlc', 'wrr']);
  for (const name of SCHEDULER_NAMES) {
    assert.ok(isSchedulerName(name));
    assert.equal(createScheduler(name).name, name);
  }
});

test('isSchedulerName rejects other strings', () => {
  for (const s of ['', 'WRR', 'wrr ', 'lblcr2', 'random', 'toString', '__proto__']) assert.equal(isSchedulerName(s), false, s);
});

test('createScheduler returns independent instances', () => {
  const a = createScheduler('rr');
  const b = createScheduler('rr');
  const p = [{ id: 'x', weight: 1, activeConns: 0, inactiveConns: 0 }, { id: 'y', weight: 1, activeConns: 0, inactiveConns: 0 }];
  const r = { clientAddr: '192.0.2.1', clientPort: 1, destAddr: '192.0.2.2', destPort: 2, now: 0 };
  assert.equal(a.pick(p, r)?.id, 'x');
  assert.equal(a.pick(p, r)?.id, 'y');
  assert.equal(b.pick(p, r)?.id, 'x');
});
