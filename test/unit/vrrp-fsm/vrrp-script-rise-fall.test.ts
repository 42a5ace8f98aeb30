// vrrp_script rise/fall, as keepalived's vrrp_script_child_thread counts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createScriptCounter, recordScriptResult, scriptStatus, type ScriptCounter, type ScriptOutcome,
} from '../../../src/vrrp/fsm/track-script.js';

const ok: ScriptOutcome = { kind: 'exit', code: 0 };
const bad: ScriptOutcome = { kind: 'exit', code: 1 };

function run(c0: ScriptCounter, outcomes: ScriptOutcome[]): { statuses: string[]; logs: string[] } {
  let c = c0;
  const statuses: string[] = [];
  const logs: string[] = [];
  for (const o of outcomes) {
    const u = recordScriptResult(c, o);
    c = u.counter;
    statuses.push(u.status);
    logs.push(...u.logs);
  }
  return { statuses, logs };
}

test('before the first result a script is INIT; one success or one failure decides', () => {
  const c = createScriptCounter({ name: 'chk', rise: 3, fall: 2 });
  assert.equal(scriptStatus(c), 'INIT');
  assert.deepEqual(run(c, [ok]).statuses, ['OK']);
  assert.deepEqual(run(c, [bad]), {
    statuses: ['FAIL'],
    logs: ['Script `chk` now returning 1', 'VRRP_Script(chk) failed (exited with status 1)'],
  });
});

test('rise 3 fall 2: two failures to go down, three successes to come back', () => {
  const c = createScriptCounter({ name: 'chk', rise: 3, fall: 2 });
  const r = run(c, [ok, bad, ok, bad, bad, ok, ok, bad, ok, ok, ok, ok]);
  assert.deepEqual(r.statuses, [
    'OK', 'OK', 'OK', 'OK', 'FAIL', 'FAIL', 'FAIL', 'FAIL', 'FAIL', 'FAIL', 'OK', 'OK',
  ]);
  assert.deepEqual(r.logs, [
    'Script `chk` now returning 0', 'VRRP_Script(chk) succeeded',
    'Script `chk` now returning 1', 'Script `chk` now returning 0', 'Script `chk` now returning 1',
    'VRRP_Script(chk) failed (exited with status 1)',
    'Script `chk` now returning 0', 'Script `chk` now returning 1', 'Script `chk` now returning 0',
    'VRRP_Script(chk) succeeded',
  ]);
});

test('rise 1 fall 1 flips on every change; timeouts and signals are failures', () => {
  const c = createScriptCounter({ name: 'chk', rise: 1, fall: 1 });
  const r = run(c, [ok, { kind: 'timeout' }, ok, { kind: 'signal', signal: 9 }]);
  assert.deepEqual(r.statuses, ['OK', 'FAIL', 'OK', 'FAIL']);
  assert.ok(r.logs.includes('VRRP_Script(chk) timed_out'));
  assert.ok(r.logs.includes('VRRP_Script(chk) failed (due to signal 9)'));
});

test('init_fail starts failed and needs `rise` successes, without a failure log', () => {
  const c = createScriptCounter({ name: 'chk', rise: 2, fall: 1, initFail: true });
  assert.equal(scriptStatus(c), 'FAIL');
  const r = run(c, [bad, ok, ok]);
  assert.deepEqual(r.statuses, ['FAIL', 'FAIL', 'OK']);
  assert.ok(!r.logs.some((l) => l.includes('failed')));
});

test('changed is set exactly when the status moves', () => {
  const c = createScriptCounter({ name: 'chk', rise: 2, fall: 2 });
  const u1 = recordScriptResult(c, ok);
  assert.equal(u1.changed, true); // INIT -> OK
  const u2 = recordScriptResult(u1.counter, bad);
  assert.equal(u2.changed, false);
  const u3 = recordScriptResult(u2.counter, bad);
  assert.equal(u3.changed, true);
  assert.equal(u3.status, 'FAIL');
});
