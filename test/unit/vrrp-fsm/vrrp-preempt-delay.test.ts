// keepalived's preempt_delay: lower-priority adverts are honoured for preempt_delay after
// startup (or after first seeing a lower-priority master), then discarded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pair } from './lan-harness.js';

test('at startup: the backup waits preempt_delay, then a Master_Down_Interval after the last honoured advert', () => {
  const { lan, a, b } = pair({ priority: 100 }, { priority: 150, preemptDelayMs: 15_000 });
  a.send({ kind: 'startup' });
  lan.runUntil(10_000);
  b.send({ kind: 'startup' }); // preempt_time = 25 s
  lan.runUntil(60_000);
  // A advertises at 3.609375 + n s. The one at 24.609375 s is the last before 25 s, so it is
  // honoured; the one at 25.609375 s is discarded and B's timer runs out 3.414062 s after 24.609375 s.
  const takeover = 24_609.375 + 3414.062;
  assert.deepEqual(b.transitions(), [[10_000, 'BACKUP'], [takeover, 'MASTER']]);
  assert.equal(b.messages().filter((m) => m.includes('discarding')).length, 3); // 25.6, 26.6 and 27.6 s
  assert.deepEqual(a.transitions().at(-1), [takeover, 'BACKUP']);
});

test('after leaving FAULT: the delay starts when the lower-priority master is first seen', () => {
  const { lan, a, b } = pair({ priority: 100 }, { priority: 150, preemptDelayMs: 5_000 });
  a.send({ kind: 'startup' });
  b.send({ kind: 'startup' });
  lan.runUntil(10_000);
  assert.equal(b.state.state, 'MASTER'); // 3.414062 s: no adverts to honour, so no delay
  b.send({ kind: 'fault-raised', source: 'interface:eth1', reason: 'track_interface eth1 down' });
  lan.runUntil(20_000);
  assert.deepEqual(a.transitions().at(-1), [10_000 + 609.375, 'MASTER']); // priority 0 from B
  b.send({ kind: 'fault-cleared', source: 'interface:eth1' });
  lan.runUntil(60_000);
  // A's adverts: 20.609375 (starts the 5 s delay, until 25.609375), …, 24.609375 honoured;
  // 25.609375 is no longer inside the delay and is discarded.
  const start = b.log.find((r) => r.action.kind === 'log' && r.action.message.startsWith('(VI_1) start preempt delay'));
  assert.equal(start?.t, 20_609.375);
  assert.ok(start?.action.kind === 'log' && start.action.message === '(VI_1) start preempt delay (5.000000)');
  const takeover = 24_609.375 + 3414.062;
  assert.deepEqual(b.transitions().slice(-2), [[20_000, 'BACKUP'], [takeover, 'MASTER']]);
});

test('preempt_delay never slows a takeover from a master that stops (priority 0)', () => {
  const { lan, a, b } = pair({ priority: 100 }, { priority: 150, preemptDelayMs: 600_000 });
  a.send({ kind: 'startup' });
  lan.runUntil(10_000);
  b.send({ kind: 'startup' });
  lan.runUntil(30_000);
  assert.equal(b.state.state, 'BACKUP');
  a.send({ kind: 'shutdown' });
  lan.runUntil(40_000);
  assert.deepEqual(b.transitions().at(-1), [30_000 + 414.062, 'MASTER']);
});

test('an advert at or above our priority stops a running preempt delay', () => {
  const { lan, a, b } = pair({ priority: 100 }, { priority: 150, preemptDelayMs: 15_000 });
  a.send({ kind: 'startup' });
  lan.runUntil(10_000);
  b.send({ kind: 'startup' });
  lan.runUntil(11_000);
  assert.equal(b.state.preemptTime, 25_000);
  b.send({ kind: 'advert', priority: 200, srcAddr: '192.0.2.7', advertIntCs: 100 });
  assert.equal(b.state.preemptTime, null);
});
