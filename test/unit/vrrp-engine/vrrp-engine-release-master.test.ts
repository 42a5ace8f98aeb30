// releaseMaster(): the master sends priority 0 (the backup takes over after Skew_Time),
// drops the VIP, and stays BACKUP with its priority held at 1 for the hold; then its own
// priority applies again and, with preempt, it takes the VIP back. Refusals are values.
// Sync group members release together; group transitions are reported as events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../src/core/clock.js';
import type { EngineEvent } from '../../../src/vrrp/engine/types.js';
import { decodeAdvert } from '../../../src/vrrp/proto/packet.js';
import { skewTimeMs } from '../../../src/vrrp/fsm/timers.js';
import { MemoryLan } from '../../helpers/packet-socket-pair.js';
import { node, runFor, stateOf, v4Instance, VIP } from './fake-host.js';

test('release: priority 0 on the wire, the backup holds the VIP within Skew_Time, the priority is held, then preempts back', async () => {
  const clock = new FakeClock();
  const lan = new MemoryLan(clock, 0);
  const a = node(lan, clock, '192.0.2.1', '02:00:00:00:00:01', { instances: [v4Instance({ priority: 150 })] });
  const b = node(lan, clock, '192.0.2.2', '02:00:00:00:00:02', { instances: [v4Instance({ priority: 100 })] });
  const events: EngineEvent[] = [];
  a.engine.onEvent((ev) => events.push(ev));
  await a.engine.start();
  await b.engine.start();
  await runFor(clock, 5000);
  assert.equal(stateOf(a), 'MASTER');
  const wireBefore = lan.wire.length;
  const out = a.engine.releaseMaster('VI_1', { holdMs: 10_000 });
  assert.deepEqual(out, { ok: true, instances: ['VI_1'], holdMs: 10_000 });
  const sent = lan.wire.slice(wireBefore).filter((w) => w.src === '192.0.2.1').map((w) => decodeAdvert(w.payload, { family: 4, framing: 'payload', src: w.src, dst: w.dst, ttl: 255 }));
  assert.equal(sent.length, 1);
  assert.ok(sent[0]!.ok && sent[0]!.packet.advert.priority === 0, JSON.stringify(sent[0]));
  assert.equal(stateOf(a), 'BACKUP');
  await runFor(clock, 5);
  assert.ok(!a.host.holds(VIP), 'the VIP is gone');
  const s = a.engine.snapshot().instances[0]!;
  assert.equal(s.effectivePriority, 1);
  assert.equal(s.releasedUntil, clock.wallNow() + 10_000 - 5);
  assert.equal(s.counters.priZeroSent, 1);
  const t = events.find((e) => e.kind === 'transition' && e.from === 'MASTER' && e.to === 'BACKUP');
  assert.ok(t?.kind === 'transition' && t.reason === 'mastership released on request', JSON.stringify(t));

  await runFor(clock, skewTimeMs(2, 100, 100) + 20);
  assert.equal(stateOf(b), 'MASTER', 'the backup took over after Skew_Time');
  assert.ok(b.host.holds(VIP));
  await runFor(clock, 9000);
  assert.equal(stateOf(a), 'BACKUP', 'no preemption during the hold');
  await runFor(clock, 1000);
  assert.equal(a.engine.snapshot().instances[0]!.effectivePriority, 150, 'hold over');
  assert.equal(a.engine.snapshot().instances[0]!.releasedUntil, null);
  await runFor(clock, 5000);
  assert.equal(stateOf(a), 'MASTER', 'with preempt it takes the VIP back');
  assert.equal(stateOf(b), 'BACKUP');
  await a.engine.stop();
  await b.engine.stop();
});

test('release with no other router: it becomes MASTER again after its Master_Down_Interval at priority 1', async () => {
  const clock = new FakeClock();
  const lan = new MemoryLan(clock, 0);
  const a = node(lan, clock, '192.0.2.1', '02:00:00:00:00:01', { instances: [v4Instance({ priority: 150 })] });
  await a.engine.start();
  await runFor(clock, 4000);
  assert.equal(stateOf(a), 'MASTER');
  const out = a.engine.releaseMaster('VI_1');
  assert.ok(out.ok);
  // Default hold: one Master_Down_Interval at the configured priority, 3 x 1 s + (256-150)/256 s, in keepalived's whole µs.
  assert.equal(out.holdMs, 3414.062);
  await runFor(clock, 3000);
  assert.equal(stateOf(a), 'BACKUP');
  await runFor(clock, 1100);
  assert.equal(stateOf(a), 'MASTER', 'nobody else: it serves again');
  await a.engine.stop();
});

test('refusals: unknown instance, not MASTER, address owner, engine not running', async () => {
  const clock = new FakeClock();
  const lan = new MemoryLan(clock, 0);
  const a = node(lan, clock, '192.0.2.1', '02:00:00:00:00:01', { instances: [v4Instance({ priority: 150 })] });
  assert.equal((a.engine.releaseMaster('VI_1') as { reason: string }).reason, 'not-running');
  await a.engine.start();
  assert.equal((a.engine.releaseMaster('VI_9') as { reason: string }).reason, 'unknown-instance');
  const nm = a.engine.releaseMaster('VI_1');
  assert.deepEqual(nm, { ok: false, reason: 'not-master', message: '(VI_1) is BACKUP, not MASTER: nothing to release' });
  await a.engine.stop();
  const o = node(lan, clock, '192.0.2.3', '02:00:00:00:00:03', { instances: [v4Instance({ priority: 255, vrid: 52 })] });
  await o.engine.start();
  assert.equal(stateOf(o), 'MASTER');
  assert.equal((o.engine.releaseMaster('VI_1') as { reason: string }).reason, 'owner');
  assert.equal(stateOf(o), 'MASTER', 'untouched');
  await o.engine.stop();
});

test('a sync group releases together; group transitions and STOP are events', async () => {
  const clock = new FakeClock();
  const lan = new MemoryLan(clock, 0);
  const two = (prio: number) => ({
    instances: [
      v4Instance({ name: 'VI_1', vrid: 51, priority: prio }),
      v4Instance({ name: 'VI_2', vrid: 52, priority: prio }, { vips: [{ address: '192.0.2.201', family: 4, prefixLength: 24 }] }),
    ],
    syncGroups: [{ name: 'G', members: ['VI_1', 'VI_2'], notify: { stop: { argv: ['/bin/g-stop'] } } }],
  });
  const a = node(lan, clock, '192.0.2.1', '02:00:00:00:00:01', two(150));
  const b = node(lan, clock, '192.0.2.2', '02:00:00:00:00:02', two(100));
  const events: EngineEvent[] = [];
  a.engine.onEvent((ev) => events.push(ev));
  await a.engine.start();
  await b.engine.start();
  await runFor(clock, 5000);
  assert.equal(stateOf(a, 'VI_1'), 'MASTER');
  assert.equal(stateOf(a, 'VI_2'), 'MASTER');
  const out = a.engine.releaseMaster('VI_2', { holdMs: 20_000 });
  assert.ok(out.ok);
  assert.deepEqual(out.instances, ['VI_1', 'VI_2']);
  assert.equal(stateOf(a, 'VI_1'), 'BACKUP');
  assert.equal(stateOf(a, 'VI_2'), 'BACKUP');
  assert.deepEqual(a.engine.snapshot().instances.map((i) => i.counters.priZeroSent), [1, 1]);
  await runFor(clock, 2000);
  assert.equal(stateOf(b, 'VI_1'), 'MASTER');
  assert.equal(stateOf(b, 'VI_2'), 'MASTER');
  const groupEvents = events.filter((e) => e.kind === 'group-transition').map((e) => (e.kind === 'group-transition' ? `${e.from}->${e.to}` : ''));
  // keepalived's vrrp_init_state notifies a group that starts BACKUP before its members.
  assert.deepEqual(groupEvents, ['INIT->BACKUP', 'BACKUP->MASTER', 'MASTER->BACKUP']);
  await a.engine.stop();
  const last = events.at(-1);
  assert.ok(last?.kind === 'group-transition' && last.to === 'STOP' && last.from === 'BACKUP');
  assert.ok(a.host.notifies.some((n) => n.argv[0] === '/bin/g-stop'), 'notify_stop of the group ran');
  await b.engine.stop();
});
