// RFC 5798 §6.4.2 priority 0: backups take over after Skew_Time, highest priority first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Lan } from './lan-harness.js';

test('three routers: after the owner stops, the 150 backup wins by its shorter skew and the 100 backup stays', () => {
  const lan = new Lan();
  const owner = lan.add({ name: 'VI_1', vrid: 51, primaryAddr: '192.0.2.1', priority: 255 });
  const b150 = lan.add({ name: 'VI_1', vrid: 51, primaryAddr: '192.0.2.2', priority: 150 });
  const b100 = lan.add({ name: 'VI_1', vrid: 51, primaryAddr: '192.0.2.3', priority: 100 });
  for (const r of [owner, b150, b100]) r.send({ kind: 'startup' });
  lan.runUntil(5_000);
  owner.send({ kind: 'shutdown' });
  lan.runUntil(30_000);
  assert.deepEqual(owner.advertsAt(0), [5_000]);
  // Skew 106/256 s = 414.062 ms vs 156/256 s = 609.375 ms.
  assert.deepEqual(b150.transitions(), [[0, 'BACKUP'], [5_000 + 414.062, 'MASTER']]);
  assert.deepEqual(b100.transitions(), [[0, 'BACKUP']]);
  assert.equal(b100.state.masterAddr, '192.0.2.2');
  assert.equal(b100.state.masterPriority, 150);
});

test('a master receiving priority 0 answers at once and restarts its Adver_Timer', () => {
  const lan = new Lan();
  const m = lan.add({ name: 'VI_1', vrid: 51, primaryAddr: '192.0.2.1', priority: 255 });
  m.send({ kind: 'startup' });
  lan.runUntil(2_500);
  m.send({ kind: 'advert', priority: 0, srcAddr: '192.0.2.9', advertIntCs: 100 });
  lan.runUntil(5_000);
  assert.deepEqual(m.advertsAt(255), [0, 1_000, 2_000, 2_500, 3_500, 4_500]);
  assert.equal(m.state.state, 'MASTER');
});
