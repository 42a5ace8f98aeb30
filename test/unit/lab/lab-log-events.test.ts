import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseLogLine } from '../../../src/lab/log-events.js';

test('halb lines carry their own time; keepalived lines take the time they were read', () => {
  const h = parseLogLine('2026-11-23T17:22:03.778Z INFO (VI_1) Entering MASTER STATE component=vrrp reason=x', 'dir1', 5);
  assert.deepEqual(h, { at: Date.parse('2026-11-23T17:22:03.778Z'), director: 'dir1', kind: 'vrrp', state: 'MASTER', text: '(VI_1) Entering MASTER STATE' });
  const k = parseLogLine('Mon Nov 23 17:26:38 2026: (VI_1) Entering BACKUP STATE', 'dir2', 1234);
  assert.equal(k?.at, 1234);
  assert.equal(k?.state, 'BACKUP');
});

test('real servers going down (ejected or disabled) and up', () => {
  const e = parseLogLine('2026-11-23T17:22:03.000Z WARN Ejecting [192.0.2.141]:tcp:80 from VS [192.0.2.100]:tcp:80: 1 consecutive refused', 'dir1', 0);
  assert.equal(e?.kind, 'rs-down');
  assert.equal(e?.rs, '192.0.2.141');
  assert.equal(e?.how, 'passive ejection');
  const d = parseLogLine('x Disabling service [192.0.2.142]:tcp:80 from VS [192.0.2.100]:tcp:80', 'dir1', 0);
  assert.equal(d?.how, 'health checker');
  const u = parseLogLine('x Enabling service [192.0.2.142]:tcp:80 from VS [192.0.2.100]:tcp:80', 'dir1', 0);
  assert.deepEqual([u?.kind, u?.rs], ['rs-up', '192.0.2.142']);
});

test('a health-change apply that updated services is the dataplane taking the new pool; one that changed nothing is not', () => {
  const a = parseLogLine('2026-11-23T19:15:07.427Z INFO health change: 0 added, 0 removed, 1 updated, 0 unchanged, 0 failed', 'dir1', 0);
  assert.deepEqual(a, { at: Date.parse('2026-11-23T19:15:07.427Z'), director: 'dir1', kind: 'pool-applied', text: 'dataplane updated' });
  assert.equal(parseLogLine('2026-11-23T19:15:07.427Z INFO health change: 0 added, 0 removed, 0 updated, 1 unchanged, 0 failed', 'dir1', 0), undefined);
  assert.equal(parseLogLine('2026-11-23T19:15:07.427Z INFO reload: 0 added, 0 removed, 1 updated, 0 unchanged, 0 failed', 'dir1', 0), undefined);
});

test('other lines are not events', () => {
  assert.equal(parseLogLine('2026-11-23T17:22:03.000Z INFO TCP_CHECK on service [192.0.2.141]:tcp:80 succeed.', 'dir1', 0), undefined);
  assert.equal(parseLogLine('', 'dir1', 0), undefined);
  assert.equal(parseLogLine('Reloading configuration from /run/halb-lab/default/dir1.conf', 'dir1', 7)?.kind, 'reload');
});
