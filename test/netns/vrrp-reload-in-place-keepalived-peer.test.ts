// Per-instance VRRP reload of the halb daemon, with Debian's keepalived 2.2.7 as the peer,
// once with halb as MASTER and once as BACKUP. Under client load (HTTP GETs to the VIP,
// back to back, from a third host) and with the master's addresses polled every 10 ms,
// halb reloads: a VIP added and removed (keepalived edited the same way right after, as
// an operator edits both sides), its priority changed without crossing keepalived's, a
// track_script added and removed, a second instance added, its garp settings changed, and
// a broken VRRP section (refused, nothing changes). None of it moves VI_1 on either side,
// the VIP is never missing on the master, no request fails. Then a priority change that
// crosses keepalived's hands over exactly once, with gratuitous ARP from the new master.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Lan } from '../helpers/lan.js';
import { gate } from '../helpers/netns.js';
import { Watch, ctl } from '../helpers/reload-probes.js';
import { VrrpNode, makeWorkDir, removeWorkDir, sleep, waitUntil } from '../helpers/vrrp-nodes.js';

const VIP1 = '192.0.2.240';
const VIP2 = '192.0.2.241';
const VIP3 = '192.0.2.242';

interface Inst {
  readonly name?: string;
  readonly vrid?: number;
  readonly priority: number;
  readonly vips?: readonly string[];
  readonly track?: boolean;
  readonly garp?: boolean;
  readonly extra?: boolean;
}

/** keepalived.conf, read unchanged by both: VI_1 (and VI_2 with `extra`), VRRPv3, advert_int 1. */
function conf(i: Inst, vrid = i.vrid ?? 51): string {
  const lines = ['global_defs {', '  router_id reload_test', '}', 'vrrp_script chk_true {', '  script "/bin/true"', '  interval 1', '  weight -2', '}'];
  const block = (name: string, id: number, prio: number, vips: readonly string[], body: readonly string[]): void => {
    lines.push(`vrrp_instance ${name} {`, '  state BACKUP', '  interface eth0', `  virtual_router_id ${id}`, `  priority ${prio}`,
      '  advert_int 1', '  version 3', ...body, '  virtual_ipaddress {', ...vips.map((v) => `    ${v}/24 dev eth0`), '  }', '}');
  };
  const body: string[] = [];
  if (i.track === true) body.push('  track_script {', '    chk_true', '  }');
  if (i.garp === true) body.push('  garp_master_repeat 2', '  garp_master_delay 1', '  garp_master_refresh 3');
  block(i.name ?? 'VI_1', vrid, i.priority, i.vips ?? [VIP1], body);
  if (i.extra === true) block('VI_2', 52, i.priority, [VIP3], []);
  return `${lines.join('\n')}\n`;
}

async function scenario(t: TestContext, role: 'MASTER' | 'BACKUP'): Promise<void> {
  const tag = role === 'MASTER' ? 'rlm' : 'rlb';
  const lan = Lan.create(tag, [{ name: 'h', addresses: ['192.0.2.1/24'] }, { name: 'k', addresses: ['192.0.2.2/24'] }, { name: 'c', addresses: ['192.0.2.3/24'] }]);
  const dir = makeWorkDir(tag);
  const nodes: VrrpNode[] = [];
  const watches: Watch[] = [];
  try {
    const [hp, kp] = role === 'MASTER' ? [150, 100] : [100, 150];
    const master = role === 'MASTER' ? 'h' : 'k';
    watches.push(new Watch(lan.ns('h').name, ['serve', '8080']), new Watch(lan.ns('k').name, ['serve', '8080']));
    const ka = VrrpNode.keepalived(lan.ns('k'), dir, 'ka', conf({ priority: kp }));
    nodes.push(ka);
    const halbConf = join(dir, 'halb.conf');
    const halb = VrrpNode.halbDaemon(lan.ns('h'), dir, 'halb', conf({ priority: hp }), ['-P']);
    nodes.push(halb);
    const sock = join(dir, 'halb.sock');
    assert.ok(await waitUntil(() => lan.holds(master, VIP1) && !lan.holds(master === 'h' ? 'k' : 'h', VIP1), 15_000), `not settled\n${halb.output}\n${ka.output}`);
    await sleep(1500);

    const vipWatch = new Watch(lan.ns(master).name, ['vip', '90000', VIP1]);
    const client = new Watch(lan.ns('c').name, ['http', '90000', `http://${VIP1}:8080/`]);
    watches.push(vipWatch, client);
    const hMark = halb.output.length;
    const kMark = ka.output.length;
    const since = (n: VrrpNode, mark: number, re: RegExp): number => (n.output.slice(mark).match(new RegExp(re.source, 'g')) ?? []).length;
    const kaReload = (c: string): void => {
      writeFileSync(join(dir, 'ka.conf'), c);
      process.kill(Number(readFileSync(join(dir, 'ka.pid'), 'utf8').trim()), 'SIGHUP');
    };
    const reload = async (step: string, i: Inst, peer?: Inst, waitMs = 2000): Promise<void> => {
      writeFileSync(halbConf, conf(i));
      const at = Date.now();
      const r = ctl(sock, 'reload');
      assert.equal(r.status, 0, `${step}: ${r.out}`);
      assert.match(r.out, /vrrp: (reloaded in place|unchanged)/, `${step}: ${r.out}`);
      if (peer !== undefined) kaReload(conf(peer));
      await sleep(waitMs);
      assert.equal(since(halb, hMark, /\(VI_1\) Entering/), 0, `${step}: halb's VI_1 changed state\n${halb.output.slice(hMark)}`);
      assert.equal(since(ka, kMark, /\(VI_1\) Entering/), 0, `${step}: keepalived's VI_1 changed state\n${ka.output.slice(kMark)}`);
      t.diagnostic(`${role}: ${step}: no transition (${new Date(at).toISOString()})`);
    };

    await reload('add a VIP', { priority: hp, vips: [VIP1, VIP2] }, { priority: kp, vips: [VIP1, VIP2] }, 3000);
    assert.ok(lan.holds(master, VIP2), 'the new VIP is on the master');
    if (role === 'MASTER') assert.match(halb.output.slice(hMark), /\(VI_1\) Sending\/queueing gratuitous ARPs on eth0 for 192\.0\.2\.241/);
    assert.doesNotMatch(halb.output.slice(hMark), /gratuitous ARPs on eth0 for 192\.0\.2\.240 .*cause=reload/, 'no GARP for the VIP that stayed');
    await reload('remove the VIP', { priority: hp }, { priority: kp }, 3000);
    assert.ok(!lan.holds('h', VIP2) && !lan.holds('k', VIP2), 'the removed VIP is gone');
    const hp2 = role === 'MASTER' ? hp + 5 : hp - 5;
    await reload('change the priority without crossing the peer\'s', { priority: hp2 });
    await reload('add a track_script', { priority: hp2, track: true });
    await reload('remove the track_script', { priority: hp2 });
    await reload('add a second instance', { priority: hp2, extra: true }, undefined, 5000);
    assert.ok(lan.holds('h', VIP3), 'the added instance (no peer) became MASTER');
    await reload('change the garp settings', { priority: hp2, extra: true, garp: true });

    writeFileSync(halbConf, conf({ priority: hp2, extra: true, garp: true }, 300));
    const broken = ctl(sock, 'reload');
    assert.match(broken.out, /reload refused/, broken.out);
    await sleep(1500);
    assert.equal(since(halb, hMark, /\(VI_1\) Entering/), 0, 'a refused reload changed nothing');
    assert.ok(lan.holds('h', VIP3) && lan.holds(master, VIP1));

    const vips = await vipWatch.result<{ polls: number; missing: Record<string, number>; maxGapMs: number }>();
    const load = await client.result<{ ok: number; failed: number; failedAt: number[] }>();
    t.diagnostic(`${role}: ${vips.polls} address polls on the master (max gap ${vips.maxGapMs} ms), VIP missing in ${vips.missing[VIP1]}; ${load.ok} requests ok, ${load.failed} failed`);
    assert.equal(vips.missing[VIP1], 0, 'the VIP was never missing on the master');
    assert.ok(vips.polls > 1000, `polled ${vips.polls} times`);
    assert.equal(load.failed, 0, `no client request failed (failed at ${load.failedAt.map((x) => new Date(x).toISOString()).join(', ')})\n${halb.output.slice(hMark)}`);
    assert.ok(load.ok > 100);

    // A priority change that must hand over: exactly once, no stop advert, GARP.
    const cross = role === 'MASTER' ? 50 : 200;
    const h2 = halb.output.length;
    const k2 = ka.output.length;
    writeFileSync(halbConf, conf({ priority: cross, extra: true, garp: true }));
    assert.equal(ctl(sock, 'reload').status, 0);
    const newMaster = role === 'MASTER' ? 'k' : 'h';
    assert.ok(await waitUntil(() => lan.holds(newMaster, VIP1) && !lan.holds(master, VIP1), 8000), `no handover\n${halb.output.slice(h2)}\n${ka.output.slice(k2)}`);
    await sleep(3000);
    const to = role === 'MASTER' ? 'BACKUP' : 'MASTER';
    const kaTo = role === 'MASTER' ? 'MASTER' : 'BACKUP';
    assert.equal(since(halb, h2, new RegExp(`\\(VI_1\\) Entering ${to} STATE`)), 1, halb.output.slice(h2));
    assert.equal(since(halb, h2, /\(VI_1\) Entering/), 1, 'halb moved exactly once');
    assert.equal(since(ka, k2, new RegExp(`\\(VI_1\\) Entering ${kaTo} STATE`)), 1, ka.output.slice(k2));
    assert.equal(since(ka, k2, /\(VI_1\) Entering/), 1, 'keepalived moved exactly once');
    assert.doesNotMatch(ka.output.slice(k2), /received priority 0/i, 'no stop advert');
    if (role === 'MASTER') assert.match(ka.output.slice(k2), /\(VI_1\) Sending\/queueing gratuitous ARPs on eth0 for 192\.0\.2\.240/);
    else assert.match(halb.output.slice(h2), /\(VI_1\) Sending\/queueing gratuitous ARPs on eth0 for 192\.0\.2\.240/);
    t.diagnostic(`${role}: priority ${hp2} -> ${cross} handed over exactly once, with gratuitous ARP`);
  } finally {
    for (const w of watches) w.kill();
    for (const n of nodes) await n.kill9();
    lan.destroy();
    removeWorkDir(dir);
  }
}

test('reload on the halb MASTER, keepalived BACKUP: no transition, no missing VIP, no failed request', { timeout: 120_000 }, async (t) => {
  if (!gate(t, 'VRRP reload with keepalived', ['keepalived'])) return;
  await scenario(t, 'MASTER');
});

test('reload on the halb BACKUP, keepalived MASTER: no transition, no missing VIP, no failed request', { timeout: 120_000 }, async (t) => {
  if (!gate(t, 'VRRP reload with keepalived', ['keepalived'])) return;
  await scenario(t, 'BACKUP');
});
