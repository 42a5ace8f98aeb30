// A VIP deleted behind the master's back is put back and announced again; deletions while
// BACKUP, of other addresses, or of no_track VIPs are left alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../src/core/clock.js';
import { MemoryLan } from '../../helpers/packet-socket-pair.js';
import { node, runFor, stateOf, v4Instance, VIP } from './fake-host.js';

test('a VIP removed while MASTER is re-added and re-announced', async () => {
  const clock = new FakeClock();
  const lan = new MemoryLan(clock, 0);
  const vips = [{ address: VIP, family: 4 as const, prefixLength: 24 }, { address: '192.0.2.201', family: 4 as const, prefixLength: 32, noTrack: true }];
  const a = node(lan, clock, '192.0.2.1', '02:00:00:00:00:01', { instances: [v4Instance({ priority: 150, garpMasterDelayMs: 0 }, { vips })] });
  await a.engine.start();
  await runFor(clock, 4000);
  assert.equal(stateOf(a), 'MASTER');
  const framesBefore = a.host.frames.length;
  a.host.installed.delete(`${VIP}/24@2`);
  a.host.emit({ kind: 'address-deleted', ifindex: 2, family: 4, address: VIP });
  await runFor(clock, 10);
  assert.ok(a.host.holds(VIP), 're-added');
  assert.equal(a.host.frames.length - framesBefore, 5, 'garp_master_repeat GARPs for it');
  assert.equal(a.engine.snapshot().instances[0]!.counters.vipsReadded, 1);
  assert.ok(a.logs.some((l) => l.msg === `(VI_1) virtual address ${VIP} removed from eth0 - re-adding`));

  a.host.installed.delete('192.0.2.201/32@2');
  a.host.emit({ kind: 'address-deleted', ifindex: 2, family: 4, address: '192.0.2.201' });
  a.host.emit({ kind: 'address-deleted', ifindex: 2, family: 4, address: '192.0.2.77' });
  await runFor(clock, 10);
  assert.ok(!a.host.holds('192.0.2.201'), 'no_track VIP left alone');
  assert.equal(a.engine.snapshot().instances[0]!.counters.vipsReadded, 1);
  await a.engine.stop();
  assert.ok(!a.host.holds(VIP));
});
