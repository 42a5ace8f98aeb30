// keepalived's tracker weight semantics (priority.ts) and what they do to an election.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  evaluatePriority, priorityEvents, priorityRange, type TrackerInput,
} from '../../../src/vrrp/fsm/priority.js';
import { pair } from './lan-harness.js';

const script = (weight: number, status: 'OK' | 'FAIL' | 'INIT', reverse = false, name = 'chk'): TrackerInput =>
  ({ kind: 'script', name, weight, reverse, status });

test('weight table: one tracker on a priority-100 instance', () => {
  const rows: Array<{ what: string; t: TrackerInput; effective: number; delta: number; fault: boolean }> = [
    { what: '+20 while OK', t: script(20, 'OK'), effective: 120, delta: 20, fault: false },
    { what: '+20 failed: nothing', t: script(20, 'FAIL'), effective: 100, delta: 0, fault: false },
    { what: '-30 while OK: nothing', t: script(-30, 'OK'), effective: 100, delta: 0, fault: false },
    { what: '-30 failed', t: script(-30, 'FAIL'), effective: 70, delta: -30, fault: false },
    { what: '+20 reverse, OK: subtracts', t: script(20, 'OK', true), effective: 80, delta: -20, fault: false },
    { what: '+20 reverse, failed: nothing', t: script(20, 'FAIL', true), effective: 100, delta: 0, fault: false },
    { what: '-30 reverse, failed: adds', t: script(-30, 'FAIL', true), effective: 130, delta: 30, fault: false },
    { what: 'weight 0 OK', t: script(0, 'OK'), effective: 100, delta: 0, fault: false },
    { what: 'weight 0 failed: FAULT', t: script(0, 'FAIL'), effective: 100, delta: 0, fault: true },
    { what: 'weight 0 reverse, OK: FAULT', t: script(0, 'OK', true), effective: 100, delta: 0, fault: true },
    { what: 'weight 0 reverse, failed: fine', t: script(0, 'FAIL', true), effective: 100, delta: 0, fault: false },
    { what: 'weighted, not run yet: nothing', t: script(-30, 'INIT'), effective: 100, delta: 0, fault: false },
    { what: 'weight 0, not run yet: held (pending)', t: script(0, 'INIT'), effective: 100, delta: 0, fault: true },
    { what: 'interface down, -50', t: { kind: 'interface', name: 'eth1', weight: -50, reverse: false, status: 'FAIL' }, effective: 50, delta: -50, fault: false },
    { what: 'process quorum lost, weight 0', t: { kind: 'process', name: 'haproxy', weight: 0, reverse: false, status: 'FAIL' }, effective: 100, delta: 0, fault: true },
    { what: 'bfd up, +10', t: { kind: 'bfd', name: 'peer', weight: 10, reverse: false, status: 'OK' }, effective: 110, delta: 10, fault: false },
    // track_file: value × weight, capped at 253; ≤ -254 is a FAULT.
    { what: 'file 3 × weight 10', t: { kind: 'file', name: 'prio', weight: 10, reverse: false, value: 3 }, effective: 130, delta: 30, fault: false },
    { what: 'file -2 × weight 10', t: { kind: 'file', name: 'prio', weight: 10, reverse: false, value: -2 }, effective: 80, delta: -20, fault: false },
    { what: 'file 2 × weight 10 reverse', t: { kind: 'file', name: 'prio', weight: 10, reverse: true, value: 2 }, effective: 80, delta: -20, fault: false },
    { what: 'file 100 × 5 capped at +253, clamped to 254', t: { kind: 'file', name: 'prio', weight: 5, reverse: false, value: 100 }, effective: 254, delta: 253, fault: false },
    { what: 'file -254 × 1: FAULT', t: { kind: 'file', name: 'prio', weight: 1, reverse: false, value: -254 }, effective: 100, delta: 0, fault: true },
    { what: 'file weight 0, value 1: FAULT', t: { kind: 'file', name: 'prio', weight: 0, reverse: false, value: 1 }, effective: 100, delta: 0, fault: true },
    { what: 'file weight 0, value 0: fine', t: { kind: 'file', name: 'prio', weight: 0, reverse: false, value: 0 }, effective: 100, delta: 0, fault: false },
    { what: 'file weight 0 reverse, value 0: FAULT', t: { kind: 'file', name: 'prio', weight: 0, reverse: true, value: 0 }, effective: 100, delta: 0, fault: true },
  ];
  for (const row of rows) {
    const e = evaluatePriority(100, [row.t]);
    assert.equal(e.effective, row.effective, row.what);
    assert.equal(e.contributors[0]?.delta, row.delta, row.what);
    assert.equal(e.contributors[0]?.fault, row.fault, row.what);
    assert.equal(e.faults.length, row.fault ? 1 : 0, row.what);
  }
});

test('clamping: a non-owner stays in [1, 254], an owner is never moved (but its faults count)', () => {
  assert.equal(evaluatePriority(200, [script(100, 'OK')]).effective, 254);
  assert.equal(evaluatePriority(200, [script(100, 'OK')]).total, 300);
  assert.equal(evaluatePriority(20, [script(-100, 'FAIL')]).effective, 1);
  const owner = evaluatePriority(255, [script(-100, 'FAIL'), script(0, 'FAIL', false, 'must')]);
  assert.equal(owner.effective, 255);
  assert.equal(owner.ownerLocked, true);
  assert.deepEqual(owner.faults, [{ source: 'script:must', reason: 'track_script must failed', pending: false }]);
});

test('contributors are kept with their reasons, and faults carry FSM-ready sources', () => {
  const e = evaluatePriority(100, [
    script(-20, 'FAIL', false, 'chk_haproxy'),
    { kind: 'interface', name: 'eth0', weight: 0, reverse: false, status: 'FAIL' },
    script(0, 'INIT', false, 'chk_db'),
  ]);
  assert.equal(e.effective, 80);
  assert.deepEqual(e.contributors.map((c) => `${c.kind}:${c.name}:${String(c.status)}:${c.delta}`), [
    'script:chk_haproxy:FAIL:-20', 'interface:eth0:FAIL:0', 'script:chk_db:INIT:0',
  ]);
  assert.deepEqual(e.faults, [
    { source: 'interface:eth0', reason: 'track_interface eth0 down', pending: false },
    { source: 'script:chk_db', reason: 'track_script chk_db has not reported yet', pending: true },
  ]);
});

test('priorityEvents: new faults first, then the priority, then cleared faults', () => {
  const before = evaluatePriority(100, [script(-20, 'OK', false, 'a'), script(0, 'FAIL', false, 'b'), script(0, 'OK', false, 'c')]);
  const after = evaluatePriority(100, [script(-20, 'FAIL', false, 'a'), script(0, 'OK', false, 'b'), script(0, 'FAIL', false, 'c')]);
  assert.deepEqual(priorityEvents(before, after), [
    { kind: 'fault-raised', source: 'script:c', reason: 'track_script c failed', pending: false },
    { kind: 'priority-changed', priority: 80 },
    { kind: 'fault-cleared', source: 'script:b', reason: 'track_script b recovered' },
  ]);
  assert.deepEqual(priorityEvents(after, after), []);
  // A pending tracker that reports a failure is re-raised as a real fault.
  const pending = evaluatePriority(100, [script(0, 'INIT')]);
  const failed = evaluatePriority(100, [script(0, 'FAIL')]);
  assert.deepEqual(priorityEvents(pending, failed), [
    { kind: 'fault-raised', source: 'script:chk', reason: 'track_script chk failed', pending: false },
  ]);
});

test('priorityRange says whether any tracker result can move the election', () => {
  assert.deepEqual(priorityRange(100, [script(-5, 'OK'), script(10, 'OK'), script(0, 'OK')]), { min: 95, max: 110 });
  assert.deepEqual(priorityRange(100, [script(20, 'OK', true)]), { min: 80, max: 100 });
  assert.deepEqual(priorityRange(255, [script(-100, 'OK')]), { min: 255, max: 255 });
  assert.deepEqual(priorityRange(100, [{ kind: 'file', name: 'f', weight: 1, reverse: false, value: 0 }]), { min: 1, max: 254 });
});

test('weight too small to change the election: master 100 with weight -5 never yields to a 90 backup', () => {
  const { lan, a, b } = pair({ priority: 100 }, { priority: 90 });
  a.send({ kind: 'startup' });
  b.send({ kind: 'startup' });
  lan.runUntil(10_000);
  const failed = evaluatePriority(100, [script(-5, 'FAIL')]);
  assert.ok(priorityRange(100, [script(-5, 'FAIL')]).min > 90);
  a.send({ kind: 'priority-changed', priority: failed.effective });
  lan.runUntil(60_000);
  assert.equal(a.state.state, 'MASTER');
  assert.equal(a.state.effectivePriority, 95);
  assert.deepEqual(b.transitions(), [[0, 'BACKUP']]);
  assert.ok(a.messages().includes('(VI_1) Changing effective priority from 100 to 95'));
  assert.deepEqual(a.advertsAt(95).slice(0, 1), [10_609.375]);
});

test('weight large enough: master 100 with weight -20 yields to the 90 backup one Master_Down_Interval later', () => {
  const { lan, a, b } = pair({ priority: 100 }, { priority: 90 });
  a.send({ kind: 'startup' });
  b.send({ kind: 'startup' });
  lan.runUntil(10_000);
  a.send({ kind: 'priority-changed', priority: evaluatePriority(100, [script(-20, 'FAIL')]).effective });
  lan.runUntil(60_000);
  // A's last advert at 100 went out at 9.609375 s; from 10.609375 s it advertises 80, which
  // B (90, preempt) discards, so B's timer from 9.609375 s runs out: 3 s + 166/256 s.
  assert.deepEqual(b.transitions(), [[0, 'BACKUP'], [9_609.375 + 3648.437, 'MASTER']]);
  assert.deepEqual(a.transitions().at(-1), [9_609.375 + 3648.437, 'BACKUP']);
});

test('equal priorities after a weight change: the tie goes to the higher address, never to the lower one', () => {
  // A (192.0.2.1) master at 100 drops to 90; B (192.0.2.2) at 90 accepts equal adverts in
  // BACKUP, so nothing changes: weights that only reach a tie never move the VIPs.
  const { lan, a, b } = pair({ priority: 100 }, { priority: 90 });
  a.send({ kind: 'startup' });
  b.send({ kind: 'startup' });
  lan.runUntil(10_000);
  a.send({ kind: 'priority-changed', priority: 90 });
  lan.runUntil(60_000);
  assert.equal(a.state.state, 'MASTER');
  assert.equal(b.state.state, 'BACKUP');
});
