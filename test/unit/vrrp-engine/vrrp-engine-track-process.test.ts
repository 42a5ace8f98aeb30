// vrrp_track_process in the engine: the process table is read before the instances
// start; without process events /proc is polled every processPollMs; with them changes
// apply at once and only the process concerned is read; weight 0 means FAULT when the
// quorum is lost, a weight moves the priority; terminate_delay rides out a restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../src/core/clock.js';
import type { TrackProcessSpec } from '../../../src/vrrp/engine/types.js';
import { MemoryLan } from '../../helpers/packet-socket-pair.js';
import { node, runFor, stateOf, v4Instance, VIP } from './fake-host.js';

const tp = (o: Partial<TrackProcessSpec> = {}): TrackProcessSpec => ({ name: 'web', process: 'nginx', weight: 0, quorum: 1, ...o });

function pair(clock: FakeClock, spec: TrackProcessSpec, pollMs = 1000) {
  const lan = new MemoryLan(clock, 0);
  const a = node(lan, clock, '192.0.2.1', '02:00:00:00:00:01', {
    instances: [v4Instance({ priority: 150 }, { trackProcesses: [{ process: 'web' }] })], trackProcesses: [spec], processPollMs: pollMs,
  });
  const b = node(lan, clock, '192.0.2.2', '02:00:00:00:00:02', { instances: [v4Instance({ priority: 100 })] });
  return { a, b };
}

test('polling: losing the process puts a weight-0 tracker in FAULT at the next scan; it comes back', async () => {
  const clock = new FakeClock();
  const { a, b } = pair(clock, tp(), 1000);
  a.host.procs.set(100, { pid: 100, ppid: 1, comm: 'nginx' });
  a.host.procs.set(101, { pid: 101, ppid: 100, comm: 'nginx' });
  await a.engine.start();
  await b.engine.start();
  assert.equal(a.host.listCalls, 1, 'read once before the instances start');
  await runFor(clock, 5000);
  assert.equal(stateOf(a), 'MASTER');
  const scans = a.host.listCalls;
  assert.ok(scans >= 5 && scans <= 7, `polled about once a second (${scans} reads in 5 s)`);
  a.host.procs.clear();
  await runFor(clock, 1100);
  assert.equal(stateOf(a), 'FAULT');
  assert.deepEqual(a.engine.snapshot().instances[0]!.faults.map((f) => f.reason), ['track_process web quorum lost']);
  await runFor(clock, 1000);
  assert.equal(stateOf(b), 'MASTER');
  a.host.procs.set(200, { pid: 200, ppid: 1, comm: 'nginx' });
  await runFor(clock, 6000);
  assert.equal(stateOf(a), 'MASTER');
  assert.ok(a.host.holds(VIP));
  await a.engine.stop();
  await b.engine.stop();
});

test('a weighted tracker lowers the priority when its quorum is lost; an instance starts in FAULT when nothing runs', async () => {
  const clock = new FakeClock();
  const { a, b } = pair(clock, tp({ weight: -60, quorum: 2 }));
  a.host.procs.set(100, { pid: 100, ppid: 1, comm: 'nginx' });
  await a.engine.start();
  await b.engine.start();
  assert.equal(a.engine.snapshot().instances[0]!.effectivePriority, 90, 'one process, quorum 2: lost from the start');
  await runFor(clock, 5000);
  assert.equal(stateOf(b), 'MASTER');
  a.host.procs.set(101, { pid: 101, ppid: 1, comm: 'nginx' });
  await runFor(clock, 6000);
  assert.equal(a.engine.snapshot().instances[0]!.effectivePriority, 150);
  assert.equal(stateOf(a), 'MASTER');
  await a.engine.stop();
  await b.engine.stop();

  const c2 = new FakeClock();
  const f = pair(c2, tp());
  await f.a.engine.start();
  await runFor(c2, 4000);
  assert.equal(stateOf(f.a), 'FAULT', 'weight 0 and no process: FAULT from the start');
  await f.a.engine.stop();
});

test('process events: an exit applies at once, a restart inside terminate_delay is ridden out, polling slows down', async () => {
  const clock = new FakeClock();
  const { a, b } = pair(clock, tp({ terminateDelayMs: 2000 }));
  a.host.connector = true;
  a.host.procs.set(100, { pid: 100, ppid: 1, comm: 'nginx' });
  await a.engine.start();
  await b.engine.start();
  await runFor(clock, 5000);
  assert.equal(stateOf(a), 'MASTER');
  assert.equal(a.host.listCalls, 1, 'with process events /proc is not polled every second');
  const transitions = a.engine.snapshot().instances[0]!.counters.transitions;
  // nginx restarts: exit, then a new master process 1 s later.
  a.host.killProc(100);
  await runFor(clock, 1000);
  a.host.spawnProc({ pid: 300, ppid: 1, comm: 'nginx' });
  await runFor(clock, 3000);
  assert.equal(stateOf(a), 'MASTER');
  assert.equal(a.engine.snapshot().instances[0]!.counters.transitions, transitions, 'no transition for a restart');
  // It stops for good: FAULT once terminate_delay has passed, not before.
  a.host.killProc(300);
  await runFor(clock, 1900);
  assert.equal(stateOf(a), 'MASTER');
  await runFor(clock, 200);
  assert.equal(stateOf(a), 'FAULT');
  await a.engine.stop();
  await b.engine.stop();
});

test('process events: a forked child counts until it execs another program', async () => {
  const clock = new FakeClock();
  const { a } = pair(clock, tp({ quorum: 2 }));
  a.host.connector = true;
  a.host.procs.set(100, { pid: 100, ppid: 1, comm: 'nginx' });
  await a.engine.start();
  await runFor(clock, 4000);
  assert.equal(stateOf(a), 'FAULT', 'one process, quorum 2');
  a.host.spawnProc({ pid: 401, ppid: 100, comm: 'nginx' }, true);
  await runFor(clock, 10);
  assert.notEqual(stateOf(a), 'FAULT', 'the child of a counted process counts');
  a.host.spawnProc({ pid: 402, ppid: 1, comm: 'apache2' });
  // The child execs something else: it no longer counts.
  a.host.spawnProc({ pid: 401, ppid: 100, comm: 'sh' });
  await runFor(clock, 10);
  assert.equal(stateOf(a), 'FAULT');
  assert.equal(a.host.listCalls, 1, 'each event read one process, not the whole table');
  await a.engine.stop();
});

test('lost process events trigger a rescan of /proc', async () => {
  const clock = new FakeClock();
  const { a } = pair(clock, tp());
  a.host.connector = true;
  a.host.procs.set(100, { pid: 100, ppid: 1, comm: 'nginx' });
  await a.engine.start();
  await runFor(clock, 4000);
  assert.equal(stateOf(a), 'MASTER');
  a.host.procs.clear(); // gone without an event reaching us
  a.host.procEvent({ kind: 'lost' });
  await runFor(clock, 20);
  assert.equal(a.host.listCalls, 2);
  assert.equal(stateOf(a), 'FAULT');
  await a.engine.stop();
});
