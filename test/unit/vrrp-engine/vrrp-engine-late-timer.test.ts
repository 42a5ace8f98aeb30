// A timer that fires late (a blocked event loop) is counted and logged with how late,
// as keepalived logs a late thread timer; one on time is not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock, type Clock, type TimerHandle } from '../../../src/core/clock.js';
import { MemoryLan } from '../../helpers/packet-socket-pair.js';
import { node, runFor, stateOf, v4Instance } from './fake-host.js';

/** A FakeClock whose timers fire `lateMs` after their deadline while `late` is set. */
class LaggyClock implements Clock {
  late = false;
  constructor(readonly inner: FakeClock, readonly lateMs: number) {}
  now(): number { return this.inner.now(); }
  wallNow(): number { return this.inner.wallNow(); }
  setTimer(delayMs: number, fn: () => void): TimerHandle {
    return this.inner.setTimer(delayMs + (this.late ? this.lateMs : 0), fn);
  }
}

test('late timers are counted and logged', async () => {
  const fake = new FakeClock();
  const clock = new LaggyClock(fake, 250);
  const lan = new MemoryLan(fake, 0);
  const a = node(lan, clock, '192.0.2.1', '02:00:00:00:00:01', { instances: [v4Instance({ priority: 150 })], lateTimerWarnMs: 100 });
  await a.engine.start();
  await runFor(fake, 5000);
  assert.equal(stateOf(a), 'MASTER');
  assert.equal(a.engine.snapshot().timers.late, 0);
  clock.late = true;
  await runFor(fake, 3000);
  const t = a.engine.snapshot().timers;
  assert.ok(t.late >= 2, `late timers: ${t.late}`);
  assert.ok(t.maxLateMs >= 250 && t.maxLateMs < 260, `max ${t.maxLateMs}`);
  assert.ok(a.logs.some((l) => l.level === 'warn' && /^VRRP thread timer expired 25\d\.\d ms late$/.test(l.msg)));
  await a.engine.stop();
});
