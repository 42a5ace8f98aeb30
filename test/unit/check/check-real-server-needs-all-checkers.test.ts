import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../src/core/clock.js';
import { HealthScheduler, type CheckerEvent, type RealServerEvent } from '../../../src/check/scheduler.js';
import type { HealthTarget } from '../../../src/check/registry.js';
import type { CheckTiming } from '../../../src/check/runner.js';
import { realServerHealth } from '../../../src/check/rs-health.js';
import { ScriptedChecker, advance, flush } from './helpers.js';

const timing: CheckTiming = { alpha: false, retry: 1, delayLoopMs: 1000, delayBeforeRetryMs: 500, warmupMs: 0 };

function target(rsId: string, checkers: ScriptedChecker[], t: CheckTiming = timing, weight = 5): HealthTarget {
  return { rsId, label: `[${rsId}]:tcp:80`, vsLabel: '[192.0.2.1]:tcp:80', weight, checkers: checkers.map((checker) => ({ checker, timing: t, logAllFailures: false })) };
}

test('realServerHealth: alive only when every checker is up; misc weight replaces, file offsets add', () => {
  assert.deepEqual(realServerHealth(3, []), { alive: true, weight: 3 });
  assert.deepEqual(realServerHealth(3, [{ up: true }, { up: true }]), { alive: true, weight: 3 });
  assert.equal(realServerHealth(3, [{ up: true }, { up: false }]).alive, false);
  assert.deepEqual(realServerHealth(3, [{ up: true, weight: 7 }, { up: true, weightOffset: -2 }]), { alive: true, weight: 5 });
  assert.equal(realServerHealth(3, [{ up: true, weightOffset: -10 }]).weight, 0);
});

test('the real server is up only while ALL its checkers are up, with exact event times', async () => {
  const clock = new FakeClock();
  const hs = new HealthScheduler({ clock, random: () => 0 });
  const a = new ScriptedChecker('a', clock, (at) => at < 2500 || at >= 6000);
  const b = new ScriptedChecker('b', clock, (at) => at < 4200 || at >= 8000);
  const rsEvents: Array<RealServerEvent & { at: number }> = [];
  const ckEvents: Array<CheckerEvent & { at: number }> = [];
  hs.onRealServer((e) => rsEvents.push({ ...e, at: clock.now() }));
  hs.onChecker((e) => ckEvents.push({ ...e, at: clock.now() }));
  hs.setTargets([target('10.0.0.1', [a, b])]);
  assert.deepEqual(hs.health('10.0.0.1'), { alive: true, weight: 5 });
  await flush();
  await advance(clock, 12_000);
  // a: fails at 3000 (retry at 3500) -> DOWN at 3500; first success at 6500 -> UP.
  // b: fails at 5000, 5500 -> DOWN at 5500; runs 6500, 7500 fail; UP at 8500.
  assert.deepEqual(ckEvents.map((e) => [e.checker, e.at, e.up]), [['a', 3500, false], ['b', 5500, false], ['a', 6500, true], ['b', 8500, true]]);
  assert.deepEqual(rsEvents.map((e) => [e.at, e.alive]), [[3500, false], [8500, true]]);
  assert.equal(rsEvents[0]?.reason, 'TCP_CHECK on service a failed after 1 retries.');
  await hs.stop();
});

test('misc_dynamic weights and FILE_CHECK offsets change the weight and emit an event', async () => {
  const clock = new FakeClock();
  const hs = new HealthScheduler({ clock });
  const misc = new ScriptedChecker('misc', clock, (at) => (at >= 2000 ? { weight: 9 } : true));
  const file = new ScriptedChecker('file', clock, (at) => (at >= 4000 ? { weightOffset: -4 } : true));
  const events: RealServerEvent[] = [];
  hs.onRealServer((e) => events.push(e));
  hs.setTargets([target('10.0.0.2', [misc, file], timing, 5)]);
  await advance(clock, 6000);
  assert.deepEqual(events.map((e) => [e.alive, e.previous.weight, e.weight]), [[true, 5, 9], [true, 9, 5]]);
  await hs.stop();
});

test('a run that never answers is aborted after the checker budget and counts as a failure', async () => {
  const clock = new FakeClock();
  const hs = new HealthScheduler({ clock });
  const c = new ScriptedChecker('slow', clock, (at) => (at >= 1000 ? 'hang' : true));
  const events: RealServerEvent[] = [];
  hs.onRealServer((e) => events.push(e));
  hs.setTargets([target('10.0.0.3', [c], { ...timing, retry: 0 })]);
  await advance(clock, 2500);
  // Run at 1000 hangs; the budget (1000 ms) aborts it at 2000 and the checker goes down;
  // the next run is due delay_loop after the hung one started, i.e. at once.
  assert.deepEqual(events.map((e) => e.alive), [false]);
  assert.deepEqual(c.runs, [0, 1000, 2000]);
  const snap = hs.snapshot();
  assert.equal(snap.realServers[0]?.checkers[0]?.last?.ok, false);
  await hs.stop();
});

test('reload keeps the state of sameAs checkers and starts changed ones afresh', async () => {
  const clock = new FakeClock();
  const hs = new HealthScheduler({ clock });
  const a = new ScriptedChecker('a', clock, () => false);
  const b = new ScriptedChecker('b', clock, () => true);
  hs.setTargets([target('10.0.0.4', [a, b])]);
  await advance(clock, 2000);
  assert.equal(hs.health('10.0.0.4')?.alive, false);
  const events: RealServerEvent[] = [];
  hs.onRealServer((e) => events.push(e));
  // Same checkers (new objects, same settings): the down state carries over, no event.
  const a2 = new ScriptedChecker('a', clock, () => false);
  const b2 = new ScriptedChecker('b', clock, () => true);
  hs.setTargets([target('10.0.0.4', [a2, b2])]);
  assert.equal(hs.health('10.0.0.4')?.alive, false);
  assert.equal(events.length, 0);
  assert.equal(a2.runs.length, 0, 'the surviving checker object is the old one');
  // Dropping the failing checker makes the server alive at once.
  hs.setTargets([target('10.0.0.4', [b2])]);
  assert.deepEqual(events.map((e) => e.alive), [true]);
  // A changed checker starts from its initial state (up, not alpha).
  const c = new ScriptedChecker('c', clock, () => true);
  hs.setTargets([target('10.0.0.4', [b2, c])]);
  await advance(clock, 100);
  assert.deepEqual(c.runs, [2000]);
  assert.equal(hs.snapshot().realServers[0]?.checkers.length, 2);
  await hs.stop();
  const before = a.runs.length + b.runs.length;
  clock.advance(10_000);
  await flush();
  assert.equal(a.runs.length + b.runs.length, before, 'no runs after stop');
});
