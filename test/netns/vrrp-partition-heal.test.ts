// Split brain and its healing: nftables drops VRRP inside keepalived's namespace, so each
// side becomes MASTER of both VRIDs; when the drop is lifted exactly one master remains
// per VRID, and halb, still master of its VRID, answers keepalived's lower-priority
// advert with a fresh gratuitous ARP burst (garp_lower_prio_repeat) that the client sees.
// The drop is lifted in two steps (keepalived's output first) so that halb does hear a
// lower-priority advert before keepalived yields: that is the case the re-GARP is for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Lan } from '../helpers/lan.js';
import { gate } from '../helpers/netns.js';
import { halbSpec, keepalivedConf, type PeerInstance } from '../helpers/vrrp-configs.js';
import { FrameCapture, VrrpNode, makeWorkDir, removeWorkDir, sleep, waitUntil } from '../helpers/vrrp-nodes.js';

const VIP_A = '192.0.2.230';
const VIP_B = '192.0.2.231';

test('partition then heal: two masters during, one after, GARP re-sent by halb', { timeout: 60_000 }, async (t) => {
  if (!gate(t, 'VRRP partition/heal with keepalived', ['keepalived', 'nft'])) return;
  const lan = Lan.create('part', [
    { name: 'h', addresses: ['192.0.2.1/24'] }, { name: 'k', addresses: ['192.0.2.2/24'] }, { name: 'c', addresses: ['192.0.2.100/24'] },
  ]);
  const dir = makeWorkDir('part');
  const nodes: VrrpNode[] = [];
  let cap: FrameCapture | undefined;
  try {
    const inst = (name: string, vrid: number, vip: string, prio: number): PeerInstance => ({
      name, vrid, version: 3, priority: prio, advertInt: 0.2, vips: [`${vip}/24`],
    });
    const halb = VrrpNode.halb(lan.ns('h'), dir, 'halb', halbSpec([inst('VI_A', 81, VIP_A, 150), inst('VI_B', 82, VIP_B, 100)]));
    nodes.push(halb);
    const ka = VrrpNode.keepalived(lan.ns('k'), dir, 'ka', keepalivedConf([inst('VI_A', 81, VIP_A, 100), inst('VI_B', 82, VIP_B, 150)]));
    nodes.push(ka);
    const oneEach = (): boolean => lan.holds('h', VIP_A) && !lan.holds('k', VIP_A) && lan.holds('k', VIP_B) && !lan.holds('h', VIP_B);
    assert.ok(await waitUntil(oneEach, 6000), 'never settled');

    const k = lan.ns('k');
    const nft = (script: string): void => {
      const r = k.run('nft', ['-f', '-'], { input: script });
      assert.equal(r.status, 0, `nft: ${r.stderr}`);
    };
    nft('table inet halbpart {\n chain in { type filter hook input priority 0; meta l4proto 112 drop; }\n chain out { type filter hook output priority 0; meta l4proto 112 drop; }\n}\n');
    const twoMasters = (): boolean => [VIP_A, VIP_B].every((v) => lan.holds('h', v) && lan.holds('k', v));
    assert.ok(await waitUntil(twoMasters, 3000), 'no split brain while VRRP is dropped');
    await sleep(500);
    assert.ok(twoMasters(), 'both sides stay MASTER during the partition');

    cap = await FrameCapture.start(lan.ns('c'));
    const healAt = Date.now();
    nft('flush chain inet halbpart out\n');
    await sleep(600);
    nft('delete table inet halbpart\n');
    assert.ok(await waitUntil(oneEach, 3000), `more than one master after healing\n${halb.output}`);
    await sleep(1000);
    assert.ok(oneEach(), 'still one master per VRID a second later');
    const hMac = lan.mac('h');
    const regarp = cap.frames.filter((f) => f.kind === 'arp' && f.ip === VIP_A && f.mac === hMac && f.t >= healAt);
    assert.ok(regarp.length >= 5, `halb re-sent ${regarp.length} GARPs for ${VIP_A} after the heal`);
    assert.ok(await halb.waitFor(/\(VI_A\) Received advert from 192\.0\.2\.2 with lower priority 100, ours 150, forcing new election/, 2000), halb.output);
    assert.equal(lan.whoAnswers('c', VIP_A), 'h');
    assert.equal(lan.whoAnswers('c', VIP_B), 'k');
  } finally {
    cap?.stop();
    for (const n of nodes) await n.kill9();
    lan.destroy();
    removeWorkDir(dir);
  }
});
