// Exact takeover times on a simulated LAN driven by FakeClock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pair } from './lan-harness.js';

test('master lost: the backup takes over Master_Down_Interval after the last advert (v2, advert_int 1, prio 100)', () => {
  const { lan, a, b } = pair({ priority: 200 }, { priority: 100 });
  a.send({ kind: 'startup' });
  b.send({ kind: 'startup' });
  lan.runUntil(10_000);
  const becameMaster = a.transitions().find(([, s]) => s === 'MASTER')?.[0];
  // Both start as backups; priority 200 times out first: 3 s + (56/256) s.
  assert.equal(becameMaster, 3218.75);
  const lastAdvert = Math.max(...a.advertsAt(200).filter((t) => t <= 10_000));
  lan.isolated.add(a.id); // the master's cable is pulled
  lan.runUntil(20_000);
  assert.deepEqual(b.transitions(), [[0, 'BACKUP'], [lastAdvert + 3609.375, 'MASTER']]);
  const msgs = b.messages();
  assert.deepEqual(msgs.slice(-2), ['(VI_1) Receive advertisement timeout', '(VI_1) Entering MASTER STATE']);
});

test('master shutdown: priority 0 makes the backup take over after Skew_Time only', () => {
  const { lan, a, b } = pair({ priority: 255 }, { priority: 100 });
  a.send({ kind: 'startup' });
  b.send({ kind: 'startup' });
  lan.runUntil(5_500);
  a.send({ kind: 'shutdown' });
  lan.runUntil(10_000);
  assert.deepEqual(a.transitions(), [[0, 'MASTER'], [5_500, 'STOP']]);
  assert.deepEqual(b.transitions(), [[0, 'BACKUP'], [5_500 + 609.375, 'MASTER']]);
  assert.ok(b.messages().includes('(VI_1) Backup received priority 0 advertisement'));
  assert.equal(b.state.stats.priZeroRcvd, 1);
});

test('VRRPv3 with 50 cs adverts: the backup adopts the interval and times out 3 × 0.5 s + skew later', () => {
  const { lan, a, b } = pair(
    { priority: 255, version: 3, advertIntCs: 50, primaryAddr: '2001:db8::1' },
    { priority: 100, version: 3, advertIntCs: 100, primaryAddr: '2001:db8::2' },
  );
  a.send({ kind: 'startup' });
  b.send({ kind: 'startup' });
  lan.runUntil(4_000);
  assert.equal(b.state.masterAdverIntCs, 50);
  lan.isolated.add(a.id);
  lan.runUntil(10_000);
  // Last advert at 4.0 s (every 0.5 s from 0); (156 × 50 cs)/256 = 304.6875 ms, truncated to µs.
  assert.deepEqual(b.transitions(), [[0, 'BACKUP'], [4_000 + 1500 + 304.687, 'MASTER']]);
});

test('down_timer_adverts 5 waits five intervals plus skew', () => {
  const { lan, a, b } = pair({ priority: 255 }, { priority: 100, downTimerAdverts: 5 });
  a.send({ kind: 'startup' });
  b.send({ kind: 'startup' });
  lan.runUntil(2_000);
  lan.isolated.add(a.id);
  lan.runUntil(20_000);
  assert.deepEqual(b.transitions(), [[0, 'BACKUP'], [2_000 + 5609.375, 'MASTER']]);
});

test('split brain heals: the higher master answers the lower advert and the lower master yields', () => {
  const { lan, a, b } = pair({ priority: 200 }, { priority: 100 });
  a.send({ kind: 'startup' });
  b.send({ kind: 'startup' });
  lan.runUntil(10_000);
  lan.isolated.add(a.id);
  lan.runUntil(20_500); // both MASTER: A since 3218.75, B since 9218.75 + 3609.375
  assert.equal(a.state.state, 'MASTER');
  assert.deepEqual(b.transitions(), [[0, 'BACKUP'], [12_828.125, 'MASTER']]);
  lan.isolated.delete(a.id);
  lan.runUntil(25_000);
  // B's periodic advert (20 828.125) reaches A first; A answers at once with its own advert,
  // re-GARPs and notifies MASTER_RX_LOWER_PRI; B sees priority 200 and yields.
  assert.ok(a.messages().includes('(VI_1) Received advert from 192.0.2.2 with lower priority 100, ours 200, forcing new election'));
  const healedAt = 20_828.125;
  assert.ok(a.log.some((r) => r.t === healedAt && r.action.kind === 'garp' && r.action.cause === 'lower-prio'));
  assert.ok(a.log.some((r) => r.t === healedAt && r.action.kind === 'notify' && r.action.to === 'MASTER_RX_LOWER_PRI'));
  assert.deepEqual(b.transitions().at(-1), [healedAt, 'BACKUP']);
  assert.equal(a.state.state, 'MASTER');
  assert.equal(a.transitions().length, 2);
  // A's Adver_Timer restarted when it answered.
  assert.ok(a.advertsAt(200).includes(healedAt + 1000));
});
