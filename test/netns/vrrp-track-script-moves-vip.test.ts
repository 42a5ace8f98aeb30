// A failing vrrp_script on the halb master: with weight -60 its priority drops below
// keepalived's and keepalived takes the VIP; with weight 0 halb goes to FAULT (priority 0
// sent) and keepalived takes over. When the script succeeds again halb preempts back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Lan } from '../helpers/lan.js';
import { gate } from '../helpers/netns.js';
import { halbSpec, keepalivedConf, type PeerInstance } from '../helpers/vrrp-configs.js';
import { VrrpNode, makeWorkDir, removeWorkDir, waitUntil } from '../helpers/vrrp-nodes.js';

test('track_script: weighted failure moves the VIP, weight 0 means FAULT, recovery preempts back', { timeout: 60_000 }, async (t) => {
  if (!gate(t, 'VRRP track_script with keepalived', ['keepalived'])) return;
  const lan = Lan.create('trk', [{ name: 'h', addresses: ['192.0.2.1/24'] }, { name: 'k', addresses: ['192.0.2.2/24'] }]);
  const dir = makeWorkDir('trk');
  const nodes: VrrpNode[] = [];
  try {
    const flag = join(dir, 'fail');
    const inst = (name: string, vrid: number, vip: string, prio: number): PeerInstance => ({
      name, vrid, version: 3, priority: prio, advertInt: 0.2, vips: [`${vip}/24`],
    });
    const halb = VrrpNode.halb(lan.ns('h'), dir, 'halb', halbSpec(
      [{ ...inst('VI_W', 71, '192.0.2.220', 150), trackScripts: [{ script: 'chk', weight: -60 }] },
        { ...inst('VI_Z', 72, '192.0.2.221', 150), trackScripts: [{ script: 'chk', weight: 0 }] }],
      [{ name: 'chk', argv: ['/bin/sh', '-c', `test ! -e ${flag}`], intervalSec: 0.5, weight: 0 }],
    ));
    nodes.push(halb);
    nodes.push(VrrpNode.keepalived(lan.ns('k'), dir, 'ka', keepalivedConf([inst('VI_W', 71, '192.0.2.220', 100), inst('VI_Z', 72, '192.0.2.221', 100)])));
    const halbHolds = (): boolean => lan.holds('h', '192.0.2.220') && lan.holds('h', '192.0.2.221');
    const kaHolds = (): boolean => lan.holds('k', '192.0.2.220') && lan.holds('k', '192.0.2.221');
    assert.ok(await waitUntil(() => halbHolds() && !lan.holds('k', '192.0.2.220') && !lan.holds('k', '192.0.2.221'), 6000), `halb never became MASTER\n${halb.output}`);

    writeFileSync(flag, '');
    assert.ok(await waitUntil(() => kaHolds() && !lan.holds('h', '192.0.2.220') && !lan.holds('h', '192.0.2.221'), 6000), `the VIPs did not move\n${halb.output}`);
    const snap = await halb.snapshot();
    const w = snap.instances.find((i) => i.name === 'VI_W')!;
    const z = snap.instances.find((i) => i.name === 'VI_Z')!;
    assert.equal(w.effectivePriority, 90, 'priority lowered by the weight');
    assert.equal(w.state, 'BACKUP');
    assert.equal(z.state, 'FAULT');
    assert.equal(z.counters.priZeroSent, 1, 'priority 0 on entering FAULT');
    assert.ok(await halb.waitFor(/VRRP_Script\(chk\) failed/, 2000), halb.output);

    rmSync(flag);
    assert.ok(await waitUntil(() => halbHolds() && !lan.holds('k', '192.0.2.220') && !lan.holds('k', '192.0.2.221'), 8000), `halb did not preempt back\n${halb.output}`);
  } finally {
    for (const n of nodes) await n.kill9();
    lan.destroy();
    removeWorkDir(dir);
  }
});
