// keepalived issue 2254: the new master's VIP and GARP came before the notify script had
// committed the NAT sessions, so packets arriving in between were reset. With
// EngineOptions.beforeVips (halb_conntrack_sync's commit) the engine holds the VIPs and
// the GARP burst until the gate resolves; adverts are not held. A failing gate is
// logged and the VIPs are added anyway.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../src/core/clock.js';
import { VrrpEngine } from '../../../src/vrrp/engine/engine.js';
import { decodeArpFrame } from '../../../src/vrrp/proto/garp.js';
import { masterDownIntervalMs } from '../../../src/vrrp/fsm/timers.js';
import { MemoryLan } from '../../helpers/packet-socket-pair.js';
import { FakeHost, memoryLogger, runFor, stateOf, v4Instance, VIP, type LogLine, type Node } from './fake-host.js';

function gated(lan: MemoryLan, clock: FakeClock, gate: (instance: string) => Promise<void>): Node {
  const host = new FakeHost(lan, ['192.0.2.1'], '02:00:00:00:00:01');
  const logs: LogLine[] = [];
  const engine = new VrrpEngine({ instances: [v4Instance({ priority: 150 })] }, host.ports(), { clock, logger: memoryLogger(logs), beforeVips: gate });
  return { host, engine, logs };
}

const garps = (n: Node): number => n.host.frames.filter((f) => decodeArpFrame(f.frame).ok).length;

test('MASTER adds its VIPs and sends GARP only once the commit has finished', async () => {
  const clock = new FakeClock();
  const lan = new MemoryLan(clock);
  let release!: () => void;
  const calls: string[] = [];
  const a = gated(lan, clock, (instance) => {
    calls.push(instance);
    return new Promise<void>((r) => { release = r; });
  });
  await a.engine.start();
  await runFor(clock, masterDownIntervalMs(2, 150, 100) + 50);
  assert.equal(stateOf(a), 'MASTER');
  assert.deepEqual(calls, ['VI_1']);
  assert.ok(!a.host.holds(VIP), 'no VIP while the commit runs');
  assert.equal(garps(a), 0, 'no GARP while the commit runs');
  assert.ok(a.engine.snapshot().instances[0]!.counters.advertsSent >= 1, 'adverts are not held');
  release();
  await runFor(clock, 50);
  assert.ok(a.host.holds(VIP));
  assert.equal(garps(a), 5, 'the garp_master_repeat burst follows the VIP');
  await a.engine.stop();
});

test('a failing commit is logged and the VIPs are added anyway', async () => {
  const clock = new FakeClock();
  const lan = new MemoryLan(clock);
  const a = gated(lan, clock, () => Promise.reject(new Error('conntrackd -c exited 1')));
  await a.engine.start();
  await runFor(clock, masterDownIntervalMs(2, 150, 100) + 50);
  assert.ok(a.host.holds(VIP));
  assert.ok(a.logs.some((l) => l.level === 'error' && l.msg === '(VI_1) before adding VIPs: conntrackd -c exited 1; adding them anyway'));
  await a.engine.stop();
});
