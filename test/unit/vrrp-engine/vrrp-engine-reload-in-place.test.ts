// Per-instance reload (VrrpEngine.reload) on an in-memory LAN: an edited instance keeps
// its state and VIPs, with only new addresses announced; a priority drop below the peer
// hands over once without a stop advert; a new VRID or a removed instance stops with
// priority 0; a refused reload changes nothing; an unchanged script keeps its counter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../src/core/clock.js';
import type { EngineSpec } from '../../../src/vrrp/engine/types.js';
import { decodeArpFrame } from '../../../src/vrrp/proto/garp.js';
import { MemoryLan } from '../../helpers/packet-socket-pair.js';
import { node, runFor, stateOf, v4Instance, VIP, type Node } from './fake-host.js';

const VIP2 = '192.0.2.201';

async function pair(aSpec: EngineSpec): Promise<{ clock: FakeClock; a: Node; b: Node }> {
  const clock = new FakeClock();
  const lan = new MemoryLan(clock, 0);
  const a = node(lan, clock, '192.0.2.1', '02:00:00:00:00:01', aSpec);
  // The peer logs a VIP list that differs from its own instead of dropping the advert:
  // in the field both sides are edited, one after the other.
  const b = node(lan, clock, '192.0.2.2', '02:00:00:00:00:02', { instances: [v4Instance({ priority: 100 }, { vipCheck: 'log' })] });
  await a.engine.start();
  await b.engine.start();
  await runFor(clock, 5000);
  assert.equal(stateOf(a), 'MASTER');
  assert.equal(stateOf(b), 'BACKUP');
  return { clock, a, b };
}

const arpsFor = (n: Node, ip: string): number =>
  n.host.frames.map((f) => decodeArpFrame(f.frame)).filter((r) => r.ok && r.value.senderIp === ip).length;

test('adding and removing a VIP on the MASTER: no transition, no stop advert, GARP for the new address only', async () => {
  const { clock, a, b } = await pair({ instances: [v4Instance({ priority: 150, garpMasterDelayMs: 0 })] });
  const arps = arpsFor(a, VIP);
  const two = v4Instance({ priority: 150, garpMasterDelayMs: 0 }, {
    vips: [{ address: VIP, family: 4, prefixLength: 24 }, { address: VIP2, family: 4, prefixLength: 24 }],
  });
  const lines = await a.engine.reload({ instances: [two] });
  assert.match(lines.join('\n'), /\(VI_1\) updated in place \(vips\), staying MASTER/);
  await runFor(clock, 3000);
  assert.ok(a.host.holds(VIP) && a.host.holds(VIP2), 'both VIPs on the master');
  assert.equal(arpsFor(a, VIP2), 5, 'garp_master_repeat ARPs for the new VIP');
  assert.equal(arpsFor(a, VIP), arps, 'none for the VIP that stayed');
  await a.engine.reload({ instances: [v4Instance({ priority: 150, garpMasterDelayMs: 0 })] });
  await runFor(clock, 3000);
  assert.ok(a.host.holds(VIP) && !a.host.holds(VIP2), 'the removed VIP is gone, the other stayed');
  const sa = a.engine.snapshot().instances[0]!;
  assert.equal(sa.counters.transitions, 2, 'INIT -> BACKUP -> MASTER only');
  assert.equal(sa.counters.priZeroSent, 0);
  assert.equal(stateOf(b), 'BACKUP');
  await a.engine.stop();
  await b.engine.stop();
});

test('lowering the MASTER below its peer hands over exactly once, without a priority-0 advert', async () => {
  const { clock, a, b } = await pair({ instances: [v4Instance({ priority: 150 })] });
  await a.engine.reload({ instances: [v4Instance({ priority: 50 })] });
  await runFor(clock, 10_000);
  assert.equal(stateOf(a), 'BACKUP');
  assert.equal(stateOf(b), 'MASTER');
  const sa = a.engine.snapshot().instances[0]!;
  const sb = b.engine.snapshot().instances[0]!;
  assert.equal(sa.counters.priZeroSent, 0, 'no stop advert: the election re-ran');
  assert.equal(sa.effectivePriority, 50);
  assert.equal(sa.counters.transitions, 3, 'MASTER -> BACKUP once');
  assert.equal(sb.counters.becomeMaster, 1);
  assert.ok(b.host.holds(VIP) && !a.host.holds(VIP));
  await a.engine.stop();
  await b.engine.stop();
});

test('a changed VRID is a new virtual router; a removed instance stops with priority 0; an added one starts', async () => {
  const { clock, a, b } = await pair({ instances: [v4Instance({ priority: 150 })] });
  const lines = await a.engine.reload({ instances: [v4Instance({ priority: 150, vrid: 52 })] });
  assert.match(lines.join('\n'), /virtual_router_id 51 -> 52/);
  await runFor(clock, 1000);
  assert.equal(a.engine.snapshot().instances[0]!.vrid, 52);
  assert.equal(a.engine.snapshot().instances[0]!.counters.priZeroSent, 0, 'a new router: counters start afresh');
  assert.equal(stateOf(b), 'MASTER', 'the peer took over after the stop advert');
  await a.engine.reload({ instances: [v4Instance({ name: 'VI_2', vrid: 60, priority: 150 }, { vips: [{ address: VIP2, family: 4, prefixLength: 24 }] })] });
  await runFor(clock, 5000);
  assert.deepEqual(a.engine.snapshot().instances.map((i) => [i.name, i.state]), [['VI_2', 'MASTER']]);
  assert.ok(a.host.holds(VIP2));
  await a.engine.stop();
  await b.engine.stop();
});

test('a reload the engine refuses (no such interface) changes nothing', async () => {
  const { clock, a, b } = await pair({ instances: [v4Instance({ priority: 150 })] });
  await assert.rejects(
    a.engine.reload({ instances: [v4Instance({ priority: 150 }, { vips: [] }), v4Instance({ name: 'VI_2', vrid: 9 }, { interface: 'eth9' })] }),
    /interface eth9 does not exist/,
  );
  await runFor(clock, 2000);
  const s = a.engine.snapshot().instances;
  assert.deepEqual(s.map((i) => [i.name, i.state, i.vips]), [['VI_1', 'MASTER', [`${VIP}/24`]]]);
  assert.ok(a.host.holds(VIP));
  await a.engine.stop();
  await b.engine.stop();
});

test('an unchanged vrrp_script keeps its counter across a reload; a changed one that was OK stays OK', async () => {
  const chk = { name: 'chk', command: { argv: ['/bin/chk'] }, intervalMs: 1000, timeoutMs: 500, weight: -60, rise: 3, fall: 3 };
  const spec = (prio: number, s = chk): EngineSpec => ({ instances: [v4Instance({ priority: prio }, { trackScripts: [{ script: 'chk' }] })], scripts: [s] });
  const { clock, a, b } = await pair(spec(150));
  const runs = a.host.scriptRuns;
  await a.engine.reload(spec(151));
  await runFor(clock, 500);
  assert.equal(a.engine.snapshot().instances[0]!.contributors.find((c) => c.name === 'chk')?.status, 'OK');
  a.host.scriptExit.set('/bin/chk', 1);
  await runFor(clock, 2100);
  // Two failures of fall 3: still OK, because the counter survived the reload.
  assert.equal(a.engine.snapshot().instances[0]!.effectivePriority, 151);
  await a.engine.reload(spec(151, { ...chk, intervalMs: 900 }));
  assert.ok(a.logs.some((l) => l.msg === 'VRRP_Script(chk) considered successful on reload'));
  assert.equal(a.engine.snapshot().instances[0]!.effectivePriority, 151);
  assert.ok(a.host.scriptRuns > runs);
  assert.equal(stateOf(a), 'MASTER');
  await a.engine.stop();
  await b.engine.stop();
});

test('a weight-0 track_script added at reload does not fault a MASTER before its first result; a failing one then does', async () => {
  const chk = { name: 'chk0', command: { argv: ['/bin/chk0'] }, intervalMs: 1000, timeoutMs: 500, weight: 0, rise: 2, fall: 2 };
  const { clock, a, b } = await pair({ instances: [v4Instance({ priority: 150 })] });
  const before = a.engine.snapshot().instances[0]!.counters.transitions;
  await a.engine.reload({ instances: [v4Instance({ priority: 150 }, { trackScripts: [{ script: 'chk0' }] })], scripts: [chk] });
  await runFor(clock, 500);
  assert.equal(stateOf(a), 'MASTER');
  assert.equal(a.engine.snapshot().instances[0]!.counters.transitions, before, 'no FAULT while the new script had not reported');
  assert.ok(a.logs.some((l) => l.msg === 'VRRP_Script(chk0) added on reload: considered successful until its first result'));
  a.host.scriptExit.set('/bin/chk0', 1);
  await runFor(clock, 3000);
  assert.equal(stateOf(a), 'FAULT', 'a failing script still faults it (fall 2)');
  await a.engine.stop();
  await b.engine.stop();
});
