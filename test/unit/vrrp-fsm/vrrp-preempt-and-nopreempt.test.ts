// Preemption (RFC 5798 Preempt_Mode, keepalived `preempt` / `nopreempt`) on a simulated LAN.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pair } from './lan-harness.js';

test('preempt (default): a higher-priority backup joining later discards the master adverts and takes over', () => {
  const { lan, a, b } = pair({ priority: 100 }, { priority: 150 });
  a.send({ kind: 'startup' });
  lan.runUntil(10_000);
  b.send({ kind: 'startup' });
  lan.runUntil(30_000);
  // B's own Master_Down_Interval from its startup: 3 s + 106/256 s (414 062 µs).
  const takeover = 10_000 + 3414.062;
  assert.deepEqual(b.transitions(), [[10_000, 'BACKUP'], [takeover, 'MASTER']]);
  assert.deepEqual(a.transitions(), [[0, 'BACKUP'], [3609.375, 'MASTER'], [takeover, 'BACKUP']]);
  const discards = b.messages().filter((m) => m === '(VI_1) received lower priority (100) advert from 192.0.2.1 - discarding');
  assert.equal(discards.length, 3); // A's adverts at 10.609, 11.609 and 12.609 s
  const timeout = b.log.find((r) => r.action.kind === 'log' && r.action.message === '(VI_1) Receive advertisement timeout');
  assert.ok(timeout?.action.kind === 'log');
  assert.equal(timeout.action.reason, 'preempting lower-priority master 192.0.2.1 (100 < 150)');
  assert.ok(a.messages().includes('(VI_1) Master received advert from 192.0.2.2 with higher priority 150, ours 100'));
});

test('nopreempt: a higher-priority backup never takes over from a running lower-priority master', () => {
  const { lan, a, b } = pair({ priority: 100 }, { priority: 150, preempt: false });
  a.send({ kind: 'startup' });
  lan.runUntil(10_000);
  b.send({ kind: 'startup' });
  lan.runUntil(120_000);
  assert.deepEqual(b.transitions(), [[10_000, 'BACKUP']]);
  assert.equal(a.state.state, 'MASTER');
  assert.equal(b.state.masterAddr, '192.0.2.1');
  assert.equal(b.state.masterPriority, 100);
  // It still takes over when the master goes away (here: a clean shutdown, Skew_Time of 150).
  a.send({ kind: 'shutdown' });
  lan.runUntil(130_000);
  assert.deepEqual(b.transitions(), [[10_000, 'BACKUP'], [120_000 + 414.062, 'MASTER']]);
});

test('nopreempt on both sides: whoever is master stays master when the other comes back', () => {
  const { lan, a, b } = pair({ priority: 150, preempt: false }, { priority: 100, preempt: false });
  a.send({ kind: 'startup' });
  b.send({ kind: 'startup' });
  lan.runUntil(10_000);
  assert.equal(a.state.state, 'MASTER');
  a.send({ kind: 'shutdown' }); // the higher-priority node reboots…
  lan.runUntil(20_000);
  assert.equal(b.state.state, 'MASTER');
  const again = lan.add({ name: 'VI_1', vrid: 51, primaryAddr: '192.0.2.3', priority: 150, preempt: false });
  again.send({ kind: 'startup' }); // …and comes back with priority 150
  lan.runUntil(60_000);
  assert.equal(b.state.state, 'MASTER');
  assert.deepEqual(again.transitions(), [[20_000, 'BACKUP']]);
});

test('without nopreempt the returning higher-priority node does take the VIPs back', () => {
  const { lan, a, b } = pair({ priority: 150 }, { priority: 100 });
  a.send({ kind: 'startup' });
  b.send({ kind: 'startup' });
  lan.runUntil(10_000);
  a.send({ kind: 'shutdown' });
  lan.runUntil(20_000);
  const again = lan.add({ name: 'VI_1', vrid: 51, primaryAddr: '192.0.2.3', priority: 150 });
  again.send({ kind: 'startup' });
  lan.runUntil(60_000);
  assert.deepEqual(again.transitions(), [[20_000, 'BACKUP'], [20_000 + 3414.062, 'MASTER']]);
  assert.equal(b.state.state, 'BACKUP');
});
