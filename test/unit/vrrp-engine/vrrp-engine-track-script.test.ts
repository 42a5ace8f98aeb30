// vrrp_script results move the election: a weighted failure lowers the advertised
// priority so the peer preempts; a weight-0 failure puts the instance in FAULT (priority
// 0 sent, VIP released); recovery brings it back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../src/core/clock.js';
import { MemoryLan } from '../../helpers/packet-socket-pair.js';
import { node, runFor, stateOf, v4Instance, VIP } from './fake-host.js';

const script = (name: string, weight: number) => ({
  name, command: { argv: [`/bin/${name}`] }, intervalMs: 1000, timeoutMs: 500, weight, rise: 1, fall: 1,
});

test('a failing weighted script lowers the priority and the peer takes over; recovery preempts back', async () => {
  const clock = new FakeClock();
  const lan = new MemoryLan(clock, 0);
  const a = node(lan, clock, '192.0.2.1', '02:00:00:00:00:01', {
    instances: [v4Instance({ priority: 150 }, { trackScripts: [{ script: 'chk' }] })], scripts: [script('chk', -60)],
  });
  const b = node(lan, clock, '192.0.2.2', '02:00:00:00:00:02', { instances: [v4Instance({ priority: 100 })] });
  await a.engine.start();
  await b.engine.start();
  await runFor(clock, 5000);
  assert.equal(stateOf(a), 'MASTER');
  a.host.scriptExit.set('/bin/chk', 1);
  await runFor(clock, 6000);
  const sa = a.engine.snapshot().instances[0]!;
  assert.equal(sa.effectivePriority, 90);
  assert.deepEqual(sa.contributors.map((c) => [c.name, c.delta]), [['eth0', 0], ['chk', -60]]);
  assert.equal(stateOf(a), 'BACKUP');
  assert.equal(stateOf(b), 'MASTER');
  assert.ok(b.host.holds(VIP) && !a.host.holds(VIP));
  assert.ok(a.logs.some((l) => l.msg === 'VRRP_Script(chk) failed (exited with status 1)'));
  a.host.scriptExit.set('/bin/chk', 0);
  await runFor(clock, 6000);
  assert.equal(stateOf(a), 'MASTER', 'priority 150 again: preempts back');
  assert.equal(stateOf(b), 'BACKUP');
  await a.engine.stop();
  await b.engine.stop();
});

test('a failing weight-0 script puts the instance in FAULT; the interface going down does too', async () => {
  const clock = new FakeClock();
  const lan = new MemoryLan(clock, 0);
  const a = node(lan, clock, '192.0.2.1', '02:00:00:00:00:01', {
    instances: [v4Instance({ priority: 150 }, { trackScripts: [{ script: 'chk' }] })], scripts: [script('chk', 0)],
  });
  const b = node(lan, clock, '192.0.2.2', '02:00:00:00:00:02', { instances: [v4Instance({ priority: 100 })] });
  await a.engine.start();
  await b.engine.start();
  await runFor(clock, 5000);
  assert.equal(stateOf(a), 'MASTER');
  a.host.scriptExit.set('/bin/chk', 2);
  await runFor(clock, 2000);
  assert.equal(stateOf(a), 'FAULT');
  assert.equal(a.engine.snapshot().instances[0]!.counters.priZeroSent, 1, 'priority 0 on entering FAULT');
  assert.equal(stateOf(b), 'MASTER');
  assert.ok(!a.host.holds(VIP));
  a.host.scriptExit.set('/bin/chk', 0);
  await runFor(clock, 6000);
  assert.equal(stateOf(a), 'MASTER');
  a.host.setLink('eth0', false);
  await runFor(clock, 10);
  assert.equal(stateOf(a), 'FAULT');
  assert.deepEqual(a.engine.snapshot().instances[0]!.faults.map((f) => f.source), ['interface:eth0']);
  a.host.setLink('eth0', true);
  await runFor(clock, 6000);
  assert.equal(stateOf(a), 'MASTER');
  await a.engine.stop();
  await b.engine.stop();
});
