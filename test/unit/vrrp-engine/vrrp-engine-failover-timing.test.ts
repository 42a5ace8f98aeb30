// Failover on the fake clock: a master that stops cleanly sends priority 0 and the
// backup takes over after Skew_Time; a master that vanishes is replaced after exactly
// Master_Down_Interval from its last advert. Preemption back, and none under nopreempt.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../src/core/clock.js';
import { masterDownIntervalMs, skewTimeMs } from '../../../src/vrrp/fsm/timers.js';
import { MemoryLan } from '../../helpers/packet-socket-pair.js';
import { node, runFor, stateOf, v4Instance, VIP, type Node } from './fake-host.js';

async function pair(clock: FakeClock, lan: MemoryLan, bFsm = {}): Promise<[Node, Node]> {
  const a = node(lan, clock, '192.0.2.1', '02:00:00:00:00:01', { instances: [v4Instance({ priority: 150 })] });
  const b = node(lan, clock, '192.0.2.2', '02:00:00:00:00:02', { instances: [v4Instance({ priority: 100, ...bFsm })] });
  await a.engine.start();
  await b.engine.start();
  await runFor(clock, 5000);
  assert.equal(stateOf(a), 'MASTER');
  assert.equal(stateOf(b), 'BACKUP');
  return [a, b];
}

/** Step 1 ms at a time until `n` is MASTER; returns the time it took. */
async function timeToMaster(clock: FakeClock, n: Node, limitMs: number): Promise<number> {
  const t0 = clock.now();
  while (stateOf(n) !== 'MASTER') {
    assert.ok(clock.now() - t0 < limitMs, `no takeover within ${limitMs} ms`);
    await runFor(clock, 1, 1);
  }
  return clock.now() - t0;
}

test('clean stop: priority 0 advert, VIP released, backup takes over after Skew_Time', async () => {
  const clock = new FakeClock();
  const lan = new MemoryLan(clock, 0);
  const [a, b] = await pair(clock, lan);
  await a.engine.stop();
  const s = a.engine.snapshot().instances[0]!;
  assert.equal(s.counters.priZeroSent, 1);
  assert.equal(s.state, 'STOP');
  assert.ok(!a.host.holds(VIP), 'VIP removed on stop');
  assert.ok(a.host.closed, 'host closed');
  const took = await timeToMaster(clock, b, 2000);
  const skew = skewTimeMs(2, 100, 100);
  assert.ok(took >= Math.floor(skew) && took <= Math.ceil(skew) + 1, `took ${took} ms, Skew_Time ${skew} ms`);
  assert.ok(b.host.holds(VIP));
  assert.equal(b.engine.snapshot().instances[0]!.counters.priZeroReceived, 1);
  await b.engine.stop();
});

test('crash: the backup takes over Master_Down_Interval after the last advert', async () => {
  const clock = new FakeClock();
  const lan = new MemoryLan(clock, 0);
  const [a, b] = await pair(clock, lan);
  // Cut just after an advert went out: the backup's timer was reset by it.
  const sent = (): number => a.engine.snapshot().instances[0]!.counters.advertsSent;
  const n0 = sent();
  while (sent() === n0) await runFor(clock, 1, 1);
  lan.cut('192.0.2.1');
  const took = await timeToMaster(clock, b, 5000);
  const mdi = masterDownIntervalMs(2, 100, 100);
  assert.ok(took >= Math.floor(mdi) - 1 && took <= Math.ceil(mdi) + 1, `took ${took} ms, Master_Down_Interval ${mdi} ms`);
  // The old master comes back: it hears a lower priority, forces an election and wins.
  lan.restore('192.0.2.1');
  await runFor(clock, 3000);
  assert.equal(stateOf(a), 'MASTER');
  assert.equal(stateOf(b), 'BACKUP', 'preempted back');
  assert.ok(!b.host.holds(VIP));
  await a.engine.stop();
  await b.engine.stop();
});

test('nopreempt: a restarted higher-priority node stays BACKUP', async () => {
  const clock = new FakeClock();
  const lan = new MemoryLan(clock, 0);
  const b = node(lan, clock, '192.0.2.2', '02:00:00:00:00:02', { instances: [v4Instance({ priority: 100 })] });
  await b.engine.start();
  await runFor(clock, 5000);
  assert.equal(stateOf(b), 'MASTER');
  const a = node(lan, clock, '192.0.2.1', '02:00:00:00:00:01', { instances: [v4Instance({ priority: 150, preempt: false })] });
  await a.engine.start();
  await runFor(clock, 10_000);
  assert.equal(stateOf(a), 'BACKUP');
  assert.equal(stateOf(b), 'MASTER');
  await a.engine.stop();
  await b.engine.stop();
});
