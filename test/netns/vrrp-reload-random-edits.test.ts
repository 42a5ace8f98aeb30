// 100 reloads of the halb MASTER with random VRRP edits that need no election (a seeded
// generator of valid keepalived.conf files: priority kept above the peer's, garp
// settings, preempt_delay, a track_script with a small weight, a notify script, excluded
// VIPs, a second instance coming and going with random VIPs), with Debian's keepalived
// 2.2.7 as the BACKUP, under client load and with the master's addresses polled every
// 10 ms: 0 failed requests, 0 transitions of VI_1 on either side, the VIP never missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { controlRequest } from '../../src/api/control-client.js';
import type { ReloadResult } from '../../src/api/control-protocol.js';
import { Lan } from '../helpers/lan.js';
import { gate } from '../helpers/netns.js';
import { Watch } from '../helpers/reload-probes.js';
import { VrrpNode, makeWorkDir, removeWorkDir, sleep, waitUntil } from '../helpers/vrrp-nodes.js';

const VIP = '192.0.2.240';
const RELOADS = 100;

/** mulberry32: a small seeded PRNG, so a failing sequence can be replayed from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A valid keepalived.conf in which VI_1 stays above the peer's priority 100. */
function randomConf(rnd: () => number, priority?: number): string {
  const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[int(0, xs.length - 1)]!;
  const some = <T>(xs: readonly T[]): T[] => xs.filter(() => rnd() < 0.5);
  const out = ['global_defs {', '  router_id random_reload', '}', 'vrrp_script chk_true {', '  script "/bin/true"', `  interval ${int(1, 3)}`, '  weight -2', '}'];
  const body = [`  priority ${priority ?? int(120, 200)}`, `  garp_master_repeat ${int(1, 5)}`, `  garp_master_delay ${int(0, 5)}`];
  if (rnd() < 0.5) body.push(`  garp_master_refresh ${int(2, 10)}`);
  if (rnd() < 0.5) body.push(`  preempt_delay ${int(1, 5)}`);
  if (rnd() < 0.5) body.push('  track_script {', `    chk_true weight ${pick([-1, -5, -10])}`, '  }');
  if (rnd() < 0.3) body.push('  notify_master "/bin/true"');
  const excluded = some(['192.0.2.250/24', '192.0.2.251/24']);
  if (excluded.length > 0) body.push('  virtual_ipaddress_excluded {', ...excluded.map((v) => `    ${v} dev eth0`), '  }');
  const inst = (name: string, vrid: number, vips: readonly string[], lines: readonly string[]): string[] => [
    `vrrp_instance ${name} {`, '  state BACKUP', '  interface eth0', `  virtual_router_id ${vrid}`, '  advert_int 1', '  version 3', ...lines,
    '  virtual_ipaddress {', ...vips.map((v) => `    ${v} dev eth0`), '  }', '}'];
  out.push(...inst('VI_1', 51, [`${VIP}/24`], body));
  if (rnd() < 0.5) {
    const vips = some(['192.0.2.242/24', '192.0.2.243/24', '192.0.2.244/24']);
    out.push(...inst('VI_2', 52, vips.length > 0 ? vips : ['192.0.2.242/24'], [`  priority ${int(50, 250)}`]));
  }
  return `${out.join('\n')}\n`;
}

test(`${RELOADS} random VRRP reloads on the MASTER under load: no failed request, no transition`, { timeout: 240_000 }, async (t) => {
  if (!gate(t, 'VRRP random reloads with keepalived', ['keepalived'])) return;
  const seed = Number(process.env.HALB_RELOAD_SEED ?? Date.now() % 1_000_000);
  t.diagnostic(`seed ${seed} (HALB_RELOAD_SEED=${seed} replays it)`);
  const rnd = prng(seed);
  const lan = Lan.create('rlr', [{ name: 'h', addresses: ['192.0.2.1/24'] }, { name: 'k', addresses: ['192.0.2.2/24'] }, { name: 'c', addresses: ['192.0.2.3/24'] }]);
  const dir = makeWorkDir('rlr');
  const nodes: VrrpNode[] = [];
  const watches: Watch[] = [];
  try {
    watches.push(new Watch(lan.ns('h').name, ['serve', '8080']), new Watch(lan.ns('k').name, ['serve', '8080']));
    const peer = ['vrrp_instance VI_1 {', '  state BACKUP', '  interface eth0', '  virtual_router_id 51', '  priority 100', '  advert_int 1', '  version 3',
      '  virtual_ipaddress {', `    ${VIP}/24 dev eth0`, '  }', '}'].join('\n');
    const ka = VrrpNode.keepalived(lan.ns('k'), dir, 'ka', `${peer}\n`);
    nodes.push(ka);
    const halb = VrrpNode.halbDaemon(lan.ns('h'), dir, 'halb', randomConf(rnd, 150), ['-P']);
    nodes.push(halb);
    assert.ok(await waitUntil(() => lan.holds('h', VIP) && !lan.holds('k', VIP), 15_000), `not settled\n${halb.output}\n${ka.output}`);
    await sleep(1500);
    const vipWatch = new Watch(lan.ns('h').name, ['vip', '200000', VIP]);
    const client = new Watch(lan.ns('c').name, ['http', '200000', `http://${VIP}:8080/`]);
    watches.push(vipWatch, client);
    const hMark = halb.output.length;
    const kMark = ka.output.length;
    const sock = join(dir, 'halb.sock');
    const summaries = new Map<string, number>();
    for (let i = 0; i < RELOADS; i++) {
      writeFileSync(join(dir, 'halb.conf'), randomConf(rnd));
      const r = await controlRequest(sock, { cmd: 'reload' }, 30_000);
      assert.ok(r.ok, `reload ${i}: ${JSON.stringify(r)}`);
      const res = r.result as ReloadResult;
      assert.ok(res.applied, `reload ${i} refused: ${res.summary}`);
      const vrrp = /vrrp: ([a-z ]+)/.exec(res.summary)?.[1] ?? res.summary;
      summaries.set(vrrp, (summaries.get(vrrp) ?? 0) + 1);
      await sleep(100 + Math.floor(rnd() * 200));
    }
    await sleep(2000);
    const vips = await vipWatch.result<{ polls: number; missing: Record<string, number> }>();
    const load = await client.result<{ ok: number; failed: number; failedAt: number[] }>();
    const transitions = (n: VrrpNode, mark: number): number => (n.output.slice(mark).match(/\(VI_1\) Entering/g) ?? []).length;
    t.diagnostic(`${RELOADS} reloads (${[...summaries].map(([k, v]) => `${v}x ${k}`).join(', ')}); ${vips.polls} address polls, VIP missing in ${vips.missing[VIP]}; `
      + `${load.ok} requests ok, ${load.failed} failed; VI_1 transitions: halb ${transitions(halb, hMark)}, keepalived ${transitions(ka, kMark)}`);
    assert.equal(transitions(halb, hMark), 0, halb.output.slice(hMark));
    assert.equal(transitions(ka, kMark), 0, ka.output.slice(kMark));
    assert.equal(vips.missing[VIP], 0);
    assert.equal(load.failed, 0, `failed at ${load.failedAt.map((x) => new Date(x).toISOString()).join(', ')}`);
    assert.ok(load.ok > 100);
    assert.doesNotMatch(halb.output.slice(hMark), /VRRP reload refused|restarting the VRRP engine/);
  } finally {
    for (const w of watches) w.kill();
    for (const n of nodes) await n.kill9();
    lan.destroy();
    removeWorkDir(dir);
  }
});
