import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { onResult, start, type CheckTiming, type RunnerState } from '../../../src/check/runner.js';

const who = { kind: 'TCP_CHECK' as const, target: '[10.0.0.1]:tcp:80' };

interface Change { at: number; up: boolean; log: string }

/** Drive the pure runner against a server whose health is a function of time; checks are instant. */
function simulate(t: CheckTiming, serverUp: (at: number) => boolean, until: number, random = () => 0): { changes: Change[]; runs: number[] } {
  let { state, nextAt } = start(t, 0, random);
  const changes: Change[] = [];
  const runs: number[] = [];
  while (nextAt <= until) {
    const at = nextAt;
    runs.push(at);
    const step = onResult(state, t, serverUp(at), { startedAt: at, now: at }, who);
    state = step.state;
    if (step.transition) changes.push({ at, up: step.transition.up, log: step.transition.log });
    nextAt = step.nextAt;
  }
  return { changes, runs };
}

const base: CheckTiming = { alpha: false, retry: 3, delayLoopMs: 6000, delayBeforeRetryMs: 3000, warmupMs: 0 };

test('delay_loop 6, retry 3, delay_before_retry 3: first failure at t, DOWN at t+9 s', () => {
  // Up until 20 s: checks at 0, 6, 12, 18 pass; the first failing check is at 24 s.
  const r = simulate(base, (at) => at < 20_000, 60_000);
  assert.deepEqual(r.runs.slice(0, 8), [0, 6000, 12000, 18000, 24000, 27000, 30000, 33000]);
  assert.deepEqual(r.changes, [{ at: 33_000, up: false, log: 'TCP_CHECK on service [10.0.0.1]:tcp:80 failed after 3 retries.' }]);
  // While down: no retries, one check per delay_loop.
  assert.deepEqual(r.runs.slice(8, 11), [39000, 45000, 51000]);
});

test('back UP at the first success, at most delay_loop after the server recovers', () => {
  for (const recoverAt of [33_001, 35_000, 38_999, 39_000, 39_001]) {
    const r = simulate(base, (at) => at < 20_000 || at >= recoverAt, 80_000);
    const upAt = r.changes.find((c) => c.up)?.at;
    assert.ok(upAt !== undefined, `recovered at ${recoverAt}`);
    assert.ok(upAt >= recoverAt && upAt - recoverAt <= base.delayLoopMs, `UP at ${upAt} for recovery at ${recoverAt}`);
    assert.equal(r.changes.filter((c) => c.up).length, 1);
  }
  const r = simulate(base, (at) => at < 20_000 || at >= 35_000, 80_000);
  assert.deepEqual(r.changes.map((c) => [c.at, c.up]), [[33_000, false], [39_000, true]]);
  assert.equal(r.changes[1]?.log, 'TCP_CHECK on service [10.0.0.1]:tcp:80 succeed.');
});

test('a success during the retries resets the count: failures must be consecutive', () => {
  // Fails at 24 and 27, passes at 30, fails again from 36: DOWN needs 36, 39, 42, 45.
  const r = simulate(base, (at) => at < 20_000 || at === 30_000, 60_000);
  assert.deepEqual(r.runs.slice(4, 10), [24000, 27000, 30000, 36000, 39000, 42000]);
  assert.deepEqual(r.changes.map((c) => c.at), [45_000]);
});

test('retry 0 goes DOWN on the first failure and logs without a retry count', () => {
  const r = simulate({ ...base, retry: 0 }, (at) => at < 10_000, 30_000);
  assert.deepEqual(r.changes, [{ at: 12_000, up: false, log: 'TCP_CHECK on service [10.0.0.1]:tcp:80 failed.' }]);
});

test('a server dead from the start is DOWN after retry+1 failures (t, +3, +6, +9)', () => {
  const r = simulate(base, () => false, 20_000);
  assert.deepEqual(r.changes.map((c) => c.at), [9_000]);
});

test('alpha starts DOWN and comes UP on the first success', () => {
  const r = simulate({ ...base, alpha: true }, (at) => at >= 10_000, 30_000);
  assert.deepEqual(r.runs.slice(0, 3), [0, 6000, 12000]);
  assert.deepEqual(r.changes.map((c) => [c.at, c.up]), [[12_000, true]]);
  const s = start({ ...base, alpha: true }, 0, () => 0);
  assert.equal(s.state.up, false);
});

test('alpha failures before the first success make no transition and no retries', () => {
  const r = simulate({ ...base, alpha: true }, () => false, 30_000);
  assert.deepEqual(r.changes, []);
  assert.deepEqual(r.runs, [0, 6000, 12000, 18000, 24000, 30000]);
});

test('warmup delays the first check by random * warmup, within [0, warmup]; 0 disables it', () => {
  const t: CheckTiming = { ...base, warmupMs: 6000 };
  assert.equal(start(t, 1000, () => 0).nextAt, 1000);
  assert.equal(start(t, 1000, () => 0.5).nextAt, 4000);
  assert.equal(start(t, 1000, () => 0.9999999).nextAt, 7000);
  assert.equal(start({ ...t, warmupMs: 0 }, 1000, () => 0.9).nextAt, 1000);
  const r = simulate(t, (at) => at < 20_000, 60_000, () => 0.5);
  assert.deepEqual(r.runs.slice(0, 3), [3000, 9000, 15000]);
  assert.deepEqual(r.changes.map((c) => c.at), [21_000 + 9000]);
});

test('a slow run schedules the next one from its start, never in the past', () => {
  const s0: RunnerState = { up: true, hasRun: true, retryIt: 0 };
  assert.equal(onResult(s0, base, true, { startedAt: 0, now: 2000 }, who).nextAt, 6000);
  assert.equal(onResult(s0, base, true, { startedAt: 0, now: 9000 }, who).nextAt, 9000);
  assert.equal(onResult(s0, base, false, { startedAt: 0, now: 500 }, who).nextAt, 3000);
});

test('property: DOWN exactly at the (retry+1)th consecutive failure while up; a single success is UP; delays follow the state', () => {
  fc.assert(fc.property(
    fc.integer({ min: 0, max: 5 }),
    fc.array(fc.boolean(), { minLength: 1, maxLength: 60 }),
    (retry, results) => {
      const t: CheckTiming = { alpha: false, retry, delayLoopMs: 1000, delayBeforeRetryMs: 300, warmupMs: 0 };
      let { state } = start(t, 0, () => 0);
      let now = 0;
      let streak = 0;
      for (const ok of results) {
        const before = state;
        const step = onResult(state, t, ok, { startedAt: now, now }, who);
        streak = ok ? 0 : streak + 1;
        if (ok) {
          assert.equal(step.state.up, true);
          assert.equal(step.transition?.up ?? true, true);
          assert.equal(step.nextAt - now, t.delayLoopMs);
        } else if (before.up) {
          const goesDown = step.transition?.up === false;
          assert.equal(goesDown, streak === retry + 1);
          assert.equal(step.nextAt - now, goesDown ? t.delayLoopMs : t.delayBeforeRetryMs);
        } else {
          assert.equal(step.transition, undefined);
          assert.equal(step.nextAt - now, t.delayLoopMs);
        }
        if (!step.state.up) assert.ok(streak >= retry + 1);
        now = step.nextAt;
        state = step.state;
      }
    },
  ));
});
