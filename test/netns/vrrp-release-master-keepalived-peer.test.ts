// `halb ctl release VI_1` on the daemon's MASTER, with Debian's keepalived as the BACKUP
// (VRRPv2, advert_int 1): halb sends priority 0, keepalived takes the VIP after its
// Skew_Time (as it does when a master shuts down), halb stays BACKUP for the hold (one
// Master_Down_Interval) without either side flapping, then preempts back. Releasing an
// instance that is not MASTER is refused with a message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Lan } from '../helpers/lan.js';
import { gate } from '../helpers/netns.js';
import { keepalivedConf, masterDownMs, type PeerInstance } from '../helpers/vrrp-configs.js';
import { VrrpNode, makeWorkDir, removeWorkDir, repoRoot, sleep, waitUntil } from '../helpers/vrrp-nodes.js';

const VIP = '192.0.2.240';

const inst = (prio: number, name = 'VI_R', vrid = 91, vip = VIP): PeerInstance => ({
  name, vrid, version: 2, priority: prio, advertInt: 1, vips: [`${vip}/24`], authPass: 'rel',
});

function ctl(sock: string, ...args: string[]): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [join(repoRoot(), 'dist', 'src', 'cli', 'main.js'), 'ctl', '--control-socket', sock, ...args], { encoding: 'utf8', timeout: 10_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

test('release mastership on request: keepalived takes over within Skew_Time, halb preempts back after the hold', { timeout: 60_000 }, async (t) => {
  if (!gate(t, 'VRRP release with keepalived', ['keepalived'])) return;
  const lan = Lan.create('rel', [{ name: 'h', addresses: ['192.0.2.1/24'] }, { name: 'k', addresses: ['192.0.2.2/24'] }]);
  const dir = makeWorkDir('rel');
  const nodes: VrrpNode[] = [];
  try {
    // keepalived first, so the start-up election is settled before halb (higher priority
    // for VI_R) joins and preempts it; keepalived.conf for both: halb reads it unchanged.
    const ka = VrrpNode.keepalived(lan.ns('k'), dir, 'ka', keepalivedConf([inst(100), inst(150, 'VI_B', 92, '192.0.2.241')]));
    nodes.push(ka);
    assert.ok(await waitUntil(() => lan.holds('k', VIP) && lan.holds('k', '192.0.2.241'), 10_000), `keepalived did not start\n${ka.output}`);
    const halb = VrrpNode.halbDaemon(lan.ns('h'), dir, 'halb', keepalivedConf([inst(150), inst(100, 'VI_B', 92, '192.0.2.241')]), ['-P']);
    nodes.push(halb);
    const sock = join(dir, 'halb.sock');
    assert.ok(await waitUntil(() => lan.holds('h', VIP) && !lan.holds('k', VIP) && lan.holds('k', '192.0.2.241'), 10_000), `not settled\n${halb.output}\n${ka.output}`);
    assert.ok(await ka.waitFor(/\(VI_R\) Entering BACKUP STATE\n/, 3000), ka.output);

    const refused = ctl(sock, 'release', 'VI_B');
    assert.notEqual(refused.status, 0);
    assert.match(refused.out, /\(VI_B\) is BACKUP, not MASTER: nothing to release/);

    const mark = ka.output.length;
    const kaSince = (re: RegExp): number => (ka.output.slice(mark).match(new RegExp(re.source, 'g')) ?? []).length;
    const at = Date.now();
    const r = ctl(sock, 'release', 'VI_R');
    assert.equal(r.status, 0, r.out);
    // The answer says the instance will preempt back, and when (the hold, then one Master_Down_Interval).
    assert.match(r.out, /^\(VI_R\) released mastership; priority held at 1 for 3\.4 s; then \(VI_R\) preempts back: mastership returns in about 6\.8 s unless the new master has a higher priority/);
    assert.ok(await waitUntil(() => lan.holds('k', VIP) && !lan.holds('h', VIP), 3000, 10), `keepalived did not take over\n${ka.output}`);
    const tookMs = Date.now() - at;
    t.diagnostic(`release -> keepalived holds the VIP after ${tookMs} ms (its Skew_Time is ${((256 - 100) / 256 * 1000).toFixed(0)} ms)`);
    assert.ok(tookMs < 2000, `keepalived should take over after Skew_Time, not Master_Down_Interval (${tookMs} ms)`);
    assert.ok(await ka.waitFor(/\(VI_R\) Backup received priority 0 advertisement/, 1000), ka.output);
    assert.ok(await waitUntil(() => kaSince(/\(VI_R\) Entering MASTER STATE/) === 1, 1000), ka.output);
    assert.match(halb.output, /\(VI_R\) releasing mastership: priority 0 sent, priority held at 1 for 3414\.062 ms/);
    assert.match(halb.output, /\(VI_R\) released mastership on request \(by halb ctl\); priority held at 1 for 3\.4 s; then \(VI_R\) preempts back/);

    // During the hold: no flap on either side.
    await sleep(2000);
    assert.ok(lan.holds('k', VIP) && !lan.holds('h', VIP), 'keepalived keeps the VIP during the hold');
    assert.equal(kaSince(/\(VI_R\) Entering BACKUP STATE/), 0, `keepalived did not flap\n${ka.output}`);

    // After the hold (Master_Down_Interval at 150) halb runs for election again and preempts.
    const back = masterDownMs(2, 150, 1) * 2 + 2000;
    assert.ok(await waitUntil(() => lan.holds('h', VIP) && !lan.holds('k', VIP), back), `halb did not preempt back\n${halb.output}`);
    t.diagnostic(`halb holds the VIP again ${Date.now() - at} ms after the release`);
    assert.ok(await waitUntil(() => kaSince(/\(VI_R\) Entering BACKUP STATE/) === 1, 2000), ka.output);
    assert.equal(kaSince(/\(VI_R\) Entering MASTER STATE/), 1, 'exactly one takeover by keepalived');
    assert.doesNotMatch(ka.output, /invalid|mismatch/i, 'keepalived complained about halb\'s adverts');
  } finally {
    for (const n of nodes) await n.kill9();
    lan.destroy();
    removeWorkDir(dir);
  }
});
