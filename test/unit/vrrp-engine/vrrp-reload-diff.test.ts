// src/vrrp/engine/reload.ts: how a reload classifies each instance, and what it diffs in place.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addressDiff, diffInstances, reconfigureState } from '../../../src/vrrp/engine/reload.js';
import { createInstance } from '../../../src/vrrp/fsm/instance-fsm.js';
import { instanceConfig } from '../../../src/vrrp/fsm/fsm-types.js';
import { v4Instance } from './fake-host.js';

const vip = (address: string, line: number) => ({ address, family: 4 as const, prefixLength: 24, pos: { file: 'k.conf', line } });

test('instances are matched by name; VRID, interface, family or version make a new virtual router', () => {
  const a = v4Instance({ priority: 100 });
  const kinds = (next: ReturnType<typeof v4Instance>[]) => diffInstances([a, v4Instance({ name: 'VI_X', vrid: 9 })], next).map((c) => `${c.kind}:${c.name}`);
  assert.deepEqual(kinds([a, v4Instance({ name: 'VI_Y', vrid: 10 })]), ['removed:VI_X', 'unchanged:VI_1', 'added:VI_Y']);
  assert.deepEqual(kinds([v4Instance({ priority: 101 })]).slice(1), ['updated:VI_1']);
  assert.deepEqual(kinds([v4Instance({ vrid: 52 })]).slice(1), ['replaced:VI_1']);
  assert.deepEqual(kinds([v4Instance({ version: 3 })]).slice(1), ['replaced:VI_1']);
  assert.deepEqual(kinds([v4Instance({}, { interface: 'eth1' })]).slice(1), ['replaced:VI_1']);
  // `state MASTER` only matters at start-up: an update, not a new router.
  assert.deepEqual(kinds([v4Instance({ initialState: 'MASTER' })]).slice(1), ['updated:VI_1']);
  const upd = diffInstances([a], [v4Instance({ priority: 120, garpMasterRepeat: 2 })])[0]!;
  assert.ok(upd.kind === 'updated');
  assert.deepEqual(upd.what, ['priority', 'garpMasterRepeat', 'garpLowerPrioRepeat']);
});

test('a VIP line that only moved in the file is not a change; a new attribute is', () => {
  const prev = v4Instance({}, { vips: [vip('192.0.2.200', 10), vip('192.0.2.201', 11)] });
  const moved = v4Instance({}, { vips: [vip('192.0.2.200', 14), vip('192.0.2.201', 15)] });
  assert.equal(diffInstances([prev], [moved])[0]!.kind, 'unchanged');
  const d = addressDiff(prev, v4Instance({}, { vips: [vip('192.0.2.200', 14), { ...vip('192.0.2.201', 15), label: 'eth0:1' }, vip('192.0.2.202', 16)] }));
  assert.deepEqual(d.vips.added.map((v) => v.address), ['192.0.2.201', '192.0.2.202']);
  assert.deepEqual(d.vips.removed.map((v) => v.address), ['192.0.2.201']);
});

test('the running state survives a new configuration: a master keeps its state and uses the new advert interval', () => {
  const cfg = instanceConfig({ name: 'VI_1', vrid: 1, primaryAddr: '192.0.2.1', version: 3, advertIntCs: 100 });
  const s = { ...createInstance(cfg), state: 'MASTER' as const, vipSet: true, effectivePriority: 100 };
  const next = reconfigureState(s, { ...cfg, advertIntCs: 50, priority: 120 });
  assert.equal(next.state, 'MASTER');
  assert.equal(next.vipSet, true);
  assert.equal(next.masterAdverIntCs, 50);
  assert.equal(next.effectivePriority, 100, 'the priority moves through the trackers\' evaluation, as an FSM event');
  assert.equal(reconfigureState(s, { ...cfg, priority: 255 }).effectivePriority, 255, 'becoming the address owner');
  const backup = { ...s, state: 'BACKUP' as const, masterAdverIntCs: 20 };
  assert.equal(reconfigureState(backup, { ...cfg, advertIntCs: 50 }).masterAdverIntCs, 20, 'a v3 backup keeps the master\'s interval');
});
