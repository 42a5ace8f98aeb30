// The seeds' drill with keepalived 2.2.7 as the peer (VRRPv2, advert_int 1): stop the
// master (kill -9, then a clean stop that sends priority 0) and time until the backup
// holds the VIP; restart it and it preempts back, and does not under nopreempt. Run in
// both directions: halb backing up keepalived, and keepalived backing up halb.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { Lan } from '../helpers/lan.js';
import { gate } from '../helpers/netns.js';
import { halbSpec, keepalivedConf, masterDownMs, type PeerInstance } from '../helpers/vrrp-configs.js';
import { VrrpNode, makeWorkDir, removeWorkDir, sleep, waitUntil } from '../helpers/vrrp-nodes.js';

const VIP = '192.0.2.210';
const ADV = 1;
const base = (priority: number, nopreempt = false): PeerInstance => ({
  name: 'VI_1', vrid: 61, version: 2, priority, advertInt: ADV, vips: [`${VIP}/24`], authPass: 'drill', nopreempt,
});

/** How long `ip addr` polling takes to notice an address: part of the slack allowed. */
async function observationLatency(lan: Lan, host: string): Promise<number> {
  const ns = lan.ns(host).name;
  const t0 = Date.now();
  spawnSync('ip', ['-n', ns, 'addr', 'add', '192.0.2.250/32', 'dev', 'eth0']);
  await waitUntil(() => lan.holds(host, '192.0.2.250'), 2000, 20);
  const took = Date.now() - t0;
  spawnSync('ip', ['-n', ns, 'addr', 'del', '192.0.2.250/32', 'dev', 'eth0']);
  return took;
}

async function timeUntil(cond: () => boolean, limitMs: number): Promise<number> {
  const t0 = Date.now();
  const ok = await waitUntil(cond, limitMs, 20);
  return ok ? Date.now() - t0 : Number.POSITIVE_INFINITY;
}

type Start = (prio: number, nopreempt?: boolean) => VrrpNode;

async function drill(t: TestContext, tag: string, backupName: 'halb' | 'keepalived'): Promise<void> {
  if (!gate(t, `VRRP failover drill (${tag})`, ['keepalived'])) return;
  const lan = Lan.create(tag, [{ name: 'h', addresses: ['192.0.2.1/24'] }, { name: 'k', addresses: ['192.0.2.2/24'] }]);
  const dir = makeWorkDir(tag);
  const nodes: VrrpNode[] = [];
  let n = 0;
  const startHalb: Start = (prio, np) => { const x = VrrpNode.halb(lan.ns('h'), dir, `halb${n++}`, halbSpec([base(prio, np)])); nodes.push(x); return x; };
  const startKa: Start = (prio, np) => { const x = VrrpNode.keepalived(lan.ns('k'), dir, `ka${n++}`, keepalivedConf([base(prio, np)])); nodes.push(x); return x; };
  // The master runs at 150, the backup at 100.
  const [startMaster, startBackup, m, b] = backupName === 'halb' ? [startKa, startHalb, 'k', 'h'] as const : [startHalb, startKa, 'h', 'k'] as const;
  const report: string[] = [];
  try {
    let master = startMaster(150);
    const backup = startBackup(100);
    const mdiBackup = masterDownMs(2, 100, ADV);
    const mdiMaster = masterDownMs(2, 150, ADV);
    const skew = ((256 - 100) / 256) * 1000;
    assert.ok(await waitUntil(() => lan.holds(m, VIP) && !lan.holds(b, VIP), mdiMaster + 4000), `master never settled\n${master.output}\n${backup.output}`);
    await sleep(1500);
    const obs = await observationLatency(lan, b);
    const slack = 2 * obs + 300;
    report.push(`observation latency ${obs} ms, slack allowed ${slack} ms`);

    // kill -9: no priority 0; the backup waits Master_Down_Interval from the last advert.
    await master.kill9();
    const killed = await timeUntil(() => lan.holds(b, VIP), mdiBackup + 3000);
    report.push(`kill -9: ${backupName} backup held the VIP after ${killed} ms (Master_Down_Interval ${mdiBackup} ms)`);
    assert.ok(killed <= mdiBackup + slack, `takeover after kill -9 took ${killed} ms > ${mdiBackup} + ${slack}`);
    assert.ok(killed >= mdiBackup - ADV * 1000 - 100, `takeover after ${killed} ms is earlier than the protocol allows`);

    // Restart: the higher priority preempts back (through its own Master_Down_Interval).
    master = startMaster(150);
    const back = await timeUntil(() => lan.holds(m, VIP) && !lan.holds(b, VIP), mdiMaster + 5000);
    report.push(`restart: preempted back after ${back} ms`);
    assert.ok(Number.isFinite(back), `restarted master did not preempt back\n${master.output}`);

    // Clean stop: priority 0 advert, the backup takes over after Skew_Time. Timed from the
    // moment the stopping master released the VIP (its own shutdown takes a while first).
    await sleep(1500);
    const t0 = Date.now();
    const stopping = master.stop();
    let released = Number.POSITIVE_INFINITY;
    let took = Number.POSITIVE_INFINITY;
    await waitUntil(() => {
      if (!Number.isFinite(released) && !lan.holds(m, VIP)) released = Date.now();
      if (lan.holds(b, VIP)) took = Date.now();
      return Number.isFinite(took) && Number.isFinite(released);
    }, 5000, 10);
    await stopping;
    const afterRelease = took - released;
    report.push(`clean stop: VIP released ${released - t0} ms after SIGTERM, backup held it ${took - t0} ms after SIGTERM (${afterRelease} ms after release; Skew_Time ${skew.toFixed(1)} ms)`);
    assert.ok(Number.isFinite(took), 'no takeover after a clean stop');
    assert.ok(Number.isFinite(released), 'the stopped master kept its VIP');
    assert.ok(afterRelease <= skew + slack, `takeover ${afterRelease} ms after the release is more than Skew_Time + slack`);

    // nopreempt: the restarted higher priority leaves the working master alone.
    master = startMaster(150, true);
    await sleep(mdiMaster + 2000);
    assert.ok(lan.holds(b, VIP) && !lan.holds(m, VIP), `nopreempt: the VIP moved\n${master.output}`);
    assert.ok(master.running, 'restarted master still running');
    for (const line of report) t.diagnostic(line);
    process.stderr.write(`[${tag}] ${report.join('; ')}\n`);
  } finally {
    for (const x of nodes) await x.kill9();
    lan.destroy();
    removeWorkDir(dir);
  }
}

test('drill: halb BACKUP takes over from keepalived MASTER (kill -9, clean stop, preempt, nopreempt)', { timeout: 90_000 }, async (t) => {
  await drill(t, 'drill-hb', 'halb');
});

test('drill: keepalived BACKUP takes over from halb MASTER (kill -9, clean stop, preempt, nopreempt)', { timeout: 90_000 }, async (t) => {
  await drill(t, 'drill-kb', 'keepalived');
});
