// The interop scenario the netns tests share: halb and keepalived on one LAN with a
// client, two VRIDs so that each is MASTER of one and BACKUP of the other (halb MASTER
// with keepalived BACKUP, and the reverse, at once). Checks that the right node holds
// each VIP, that it is the one answering ARP / ND, and that nothing flaps for a while.
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { Lan } from './lan.js';
import { gate } from './netns.js';
import { halbSpec, keepalivedConf, masterDownMs, type PeerInstance } from './vrrp-configs.js';
import { VrrpNode, makeWorkDir, removeWorkDir, sleep, waitUntil } from './vrrp-nodes.js';

export interface InteropCase {
  readonly tag: string;
  readonly family: 4 | 6;
  /** The instance halb is MASTER of (halb priority 150, keepalived 100); the other is mirrored. */
  readonly base: Omit<PeerInstance, 'name' | 'priority' | 'vips' | 'unicastSrc' | 'unicastPeers'>;
  readonly unicast?: boolean;
  /** How long to watch for flaps once settled. */
  readonly stableMs: number;
}

const ADDR = { 4: { h: '192.0.2.1', k: '192.0.2.2', c: '192.0.2.100' }, 6: { h: '2001:db8::1', k: '2001:db8::2', c: '2001:db8::100' } };
const VIPS = { 4: ['192.0.2.200', '192.0.2.201'], 6: ['2001:db8::200', '2001:db8::201'] };

export async function runInterop(t: TestContext, c: InteropCase): Promise<void> {
  if (!gate(t, `VRRP interop with keepalived (${c.tag})`, ['keepalived'])) return;
  const a = ADDR[c.family];
  const plen = c.family === 4 ? 24 : 64;
  const [vipA, vipB] = VIPS[c.family] as [string, string];
  const lan = Lan.create(c.tag, [
    { name: 'h', addresses: [`${ADDR[4].h}/24`, `${ADDR[6].h}/64`] },
    { name: 'k', addresses: [`${ADDR[4].k}/24`, `${ADDR[6].k}/64`] },
    { name: 'c', addresses: [`${ADDR[4].c}/24`, `${ADDR[6].c}/64`] },
  ]);
  const dir = makeWorkDir(c.tag);
  const nodes: VrrpNode[] = [];
  try {
    const inst = (name: string, vrid: number, vip: string, prio: number, self: 'h' | 'k'): PeerInstance => ({
      ...c.base, name, vrid: c.base.vrid + vrid, priority: prio, vips: [`${vip}/${plen}`],
      ...(c.unicast === true ? { unicastSrc: a[self], unicastPeers: [a[self === 'h' ? 'k' : 'h']] } : {}),
    });
    const halb = VrrpNode.halb(lan.ns('h'), dir, 'halb', halbSpec([inst('VI_A', 0, vipA, 150, 'h'), inst('VI_B', 1, vipB, 100, 'h')]));
    nodes.push(halb);
    const ka = VrrpNode.keepalived(lan.ns('k'), dir, 'ka', keepalivedConf([inst('VI_A', 0, vipA, 100, 'k'), inst('VI_B', 1, vipB, 150, 'k')]));
    nodes.push(ka);

    const settle = masterDownMs(c.base.version, 100, c.base.advertInt) + 4000;
    const settled = await waitUntil(() => lan.holds('h', vipA) && lan.holds('k', vipB), settle, 50);
    assert.ok(settled, `not settled within ${settle} ms\n--- halb\n${halb.output}\n--- keepalived\n${ka.output}`);
    // Leave room for a wrong second master to show up before judging.
    await sleep(c.base.advertInt * 1000 * 2);
    assert.ok(!lan.holds('k', vipA), 'keepalived (BACKUP of VI_A) must not hold its VIP');
    assert.ok(!lan.holds('h', vipB), 'halb (BACKUP of VI_B) must not hold its VIP');
    assert.equal(lan.whoAnswers('c', vipA), 'h', `${vipA} is answered by halb`);
    assert.equal(lan.whoAnswers('c', vipB), 'k', `${vipB} is answered by keepalived`);

    const before = await halb.snapshot();
    const kaEntering = ka.count(/Entering \w+ STATE/);
    await sleep(c.stableMs);
    const after = await halb.snapshot();
    for (const name of ['VI_A', 'VI_B']) {
      const b0 = before.instances.find((i) => i.name === name)!;
      const b1 = after.instances.find((i) => i.name === name)!;
      assert.equal(b1.counters.transitions, b0.counters.transitions, `${name}: halb changed state during ${c.stableMs} ms`);
      assert.deepEqual(b1.counters.drops, {}, `${name}: halb dropped keepalived's adverts: ${JSON.stringify(b1.counters.drops)}`);
    }
    assert.equal(ka.count(/Entering \w+ STATE/), kaEntering, `keepalived changed state during ${c.stableMs} ms\n${ka.output}`);
    const vb = after.instances.find((i) => i.name === 'VI_B')!;
    const va = after.instances.find((i) => i.name === 'VI_A')!;
    assert.equal(va.state, 'MASTER');
    assert.equal(vb.state, 'BACKUP');
    const expected = Math.floor(c.stableMs / (c.base.advertInt * 1000));
    const got = vb.counters.advertsReceived - before.instances.find((i) => i.name === 'VI_B')!.counters.advertsReceived;
    assert.ok(got >= expected - 2, `halb heard ${got} of keepalived's adverts in ${c.stableMs} ms (expected ~${expected})`);
    // keepalived sends IPv6 multicast adverts from its link-local address.
    if (c.family === 4) assert.equal(vb.masterAddr, a.k, 'master address is keepalived\'s');
    else assert.match(vb.masterAddr ?? '', /^fe80:/, 'IPv6 master address is keepalived\'s link-local address');
    assert.doesNotMatch(ka.output, /invalid|mismatch|Invalid/, 'keepalived complained about halb\'s adverts');
    t.diagnostic(`${c.tag}: halb sent ${va.counters.advertsSent} adverts, heard ${vb.counters.advertsReceived}; event loop p99 ${after.eventLoop.p99Ms} ms`);
  } finally {
    for (const n of nodes) await n.kill9();
    lan.destroy();
    removeWorkDir(dir);
  }
}
