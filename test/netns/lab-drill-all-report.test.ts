// `halb lab up && halb lab drill all --json && halb lab down`, run as the CLI, as a user
// would: the report's figures must describe a healthy cluster (failover within
// Master_Down_Interval plus slack, no failed request in reload nor after a dead real
// server was detected), the timeline file must be written, and `down` must leave no
// namespace, process or file behind, whatever the drills did.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gate } from '../helpers/netns.js';
import { drillOf as drill, labCli, labDownLeavesNothing } from '../helpers/lab-cli.js';
import { FAILOVER_SLACK_MS } from '../../src/lab/measure.js';
import { ALL_ORDER, type LabReport } from '../../src/lab/report-types.js';

const NAME = `t${process.pid % 100000}`;
/** 3 * advert_int + (256 - 100) / 256 * advert_int for dir2, the backup at priority 100. */
const MASTER_DOWN_MS = 3000 + (156 * 1000) / 256;

const halb = (root: string, args: string[], timeoutMs: number): ReturnType<typeof labCli> => labCli(root, NAME, args, timeoutMs);

test('halb lab up, drill all --json, down: the report describes a healthy cluster and nothing is left', async (t) => {
  if (!gate(t, 'halb lab drills', ['ip', 'bridge', 'sysctl'])) return;
  const root = mkdtempSync(join(tmpdir(), 'halb-lab-test-'));
  const html = join(root, 'report.html');
  try {
    const up = halb(root, ['up'], 60_000);
    assert.equal(up.status, 0, `lab up:\n${up.stderr}\n${up.stdout}`);
    assert.match(up.stdout, new RegExp(`ip netns exec hlab-${NAME}-client curl http://192\\.0\\.2\\.100/`));

    const run = halb(root, ['drill', 'all', '--json', '--html', html], 240_000);
    assert.ok(run.stdout.trim().startsWith('{'), `drill all printed JSON:\n${run.stderr}\n${run.stdout.slice(0, 2000)}`);
    const report = JSON.parse(run.stdout) as LabReport;
    process.stderr.write(`${run.stderr}\n`);
    assert.deepEqual(report.drills.map((d) => d.drill), [...ALL_ORDER]);
    const allOk = report.drills.every((d) => d.checks.every((c) => c.ok));
    assert.equal(run.status, allOk ? 0 : 1, 'the exit status says whether every check held');

    const failover = drill(report, 'failover');
    assert.equal(failover.ok, true, failover.error);
    assert.equal(failover.masterDownIntervalMs, Math.round(MASTER_DOWN_MS));
    assert.ok(failover.requests.failed > 0, 'the client saw the master die (else the drill measured nothing)');
    assert.ok(failover.outage.windowMs > 0 && failover.outage.windowMs < MASTER_DOWN_MS + FAILOVER_SLACK_MS,
      `failover window ${failover.outage.windowMs} ms < Master_Down_Interval ${MASTER_DOWN_MS} ms + ${FAILOVER_SLACK_MS} ms`);
    assert.equal(failover.outage.ongoing, false);
    assert.deepEqual(failover.vip.holdersAtEnd, ['dir2']);
    assert.ok(failover.vip.segments.some((s) => s.holders.length === 0), 'nobody held the VIP for a while');

    const reload = drill(report, 'reload');
    assert.equal(reload.ok, true, reload.error);
    assert.ok(reload.requests.sent >= 200, `reload ran under load (${reload.requests.sent} requests)`);
    assert.equal(reload.requests.failed, 0, 'no request fails across two reloads');
    const reloadVrrp = drill(report, 'reload-vrrp');
    assert.equal(reloadVrrp.ok, true, reloadVrrp.error);
    assert.equal(reloadVrrp.requests.failed, 0, 'no request fails across the VRRP edits');

    const rsDown = drill(report, 'rs-down');
    assert.equal(rsDown.ok, true, rsDown.error);
    assert.ok(rsDown.detection !== undefined && rsDown.detection.director === 'dir1', 'dir1 detected the dead real server');
    assert.ok(rsDown.detection.ms < 5000, `detected within the checker's window (${rsDown.detection.ms} ms)`);
    assert.equal(rsDown.requests.failedAfterDetection, 0, 'no failed request after detection');
    assert.ok((rsDown.requests.servedBy.rs2 ?? 0) > 0);

    const rsUp = drill(report, 'rs-up');
    assert.ok(rsUp.detection?.firstServedMs !== undefined, 'rs1 served again');
    assert.equal(rsUp.requests.failed, 0);

    const failback = drill(report, 'failback');
    assert.deepEqual(failback.vip.holdersAtEnd, ['dir1'], 'dir1 preempts back');

    const partition = drill(report, 'partition');
    assert.ok(partition.vip.segments.some((s) => s.holders.length === 2), 'the partition made two masters');
    process.stderr.write(`partition: ${partition.checks.map((c) => `${c.ok ? 'ok' : 'FAILED'} ${c.name}: ${c.detail}`).join('; ')}\n`);

    const page = readFileSync(html, 'utf8');
    assert.equal((page.match(/<svg /g) ?? []).length, ALL_ORDER.length, 'one timeline per drill');
    assert.doesNotMatch(page, /<script|\s(src|href)=/i);

    const status = halb(root, ['status', '--json'], 30_000);
    assert.equal(status.status, 0, status.stderr);
    assert.deepEqual((JSON.parse(status.stdout) as { holders: string[] }).holders, ['dir1'], 'the drills leave the lab at rest');
  } finally {
    await labDownLeavesNothing(root, NAME);
  }
});
