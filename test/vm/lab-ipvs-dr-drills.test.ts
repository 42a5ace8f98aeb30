// The seeds' LVS-DR drill on the kernel's own IPVS, driven through `halb lab` as a user
// would on the VM's kernel: `halb lab up --mode dr --dataplane ipvs`, then the drills.
// While rs-down runs, `ipvsadm -Ln` inside dir1's namespace (IPVS is per namespace) is
// read until the killed real server's line is gone: the time from the kill is printed
// and must stay within what the checker's settings allow (delay_loop + connect_timeout,
// plus delay_before_retry for each retry: a refused connect spends no connect_timeout).
// rs-up brings the line back. After failover (dir1's halb killed -9, its cable pulled)
// dir2's own IPVS table carries the client's requests: its service counters grow, and
// the client is served through the VIP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vmGate } from '../helpers/vm.js';
import { drillOf, LAB_CLI, labCli, labDownLeavesNothing, type CliRun } from '../helpers/lab-cli.js';
import type { LabReport } from '../../src/lab/report-types.js';

const NAME = 'ipvsdr';
const VIP = '192.0.2.100';
const RS1 = '192.0.2.141';
const RS2 = '192.0.2.142';
/** Emulated CPUs: scheduling and process start-up add this much to a checker's verdict, at most. */
const EMULATION_SLACK_MS = 2000;

const ns = (role: string): string => `hlab-${NAME}-${role}`;

function ipvsadm(role: string, args: readonly string[]): string {
  const r = spawnSync('ip', ['netns', 'exec', ns(role), 'ipvsadm', ...args], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.status, 0, `ipvsadm ${args.join(' ')} in ${role}: ${r.stderr}`);
  return r.stdout;
}

const hasDest = (list: string, rs: string): boolean => new RegExp(`-> ${rs.replace(/\./g, '\\.')}:80 +Route `).test(list);

/** `halb lab drill NAMES` in the background, with `ipvsadm -Ln` in dir1 read every ~100 ms until it ends. */
async function drillWatchingIpvs(root: string, names: string): Promise<{ run: CliRun; report: LabReport; reads: { at: number; list: string }[] }> {
  const child = spawn(process.execPath, [LAB_CLI, 'lab', 'drill', names, '--json', '--no-html', '--rate', '20', '--timeout', '3000', '--name', NAME], {
    env: { ...process.env, HALB_LAB_DIR: root }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
  const done = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const killer = setTimeout(() => child.kill('SIGKILL'), 600_000);
  const reads: { at: number; list: string }[] = [];
  let finished = false;
  void done.then(() => { finished = true; });
  while (!finished) {
    const r = spawnSync('ip', ['netns', 'exec', ns('dir1'), 'ipvsadm', '-Ln'], { encoding: 'utf8', timeout: 10_000 });
    if (r.status === 0) reads.push({ at: Date.now(), list: r.stdout });
    await new Promise((res) => setTimeout(res, 100));
  }
  clearTimeout(killer);
  const status = await done;
  const run = { status, stdout, stderr };
  process.stderr.write(stderr);
  assert.ok(stdout.trim().startsWith('{'), `drill ${names} printed JSON:\n${stderr}\n${stdout.slice(0, 2000)}`);
  return { run, report: JSON.parse(stdout) as LabReport, reads };
}

/** delay_loop, connect_timeout, retry and delay_before_retry of the lab's virtual server, in ms. */
function checkerSettings(conf: string): { delayLoop: number; connectTimeout: number; retry: number; delayBeforeRetry: number } {
  const num = (key: string): number => {
    const m = new RegExp(`^\\s*${key}\\s+(\\d+)`, 'm').exec(conf);
    assert.ok(m !== null, `dir1's keepalived.conf sets ${key}`);
    return Number(m[1]);
  };
  return { delayLoop: num('delay_loop') * 1000, connectTimeout: num('connect_timeout') * 1000, retry: num('retry'), delayBeforeRetry: num('delay_before_retry') * 1000 };
}

test('halb lab --mode dr --dataplane ipvs: rs-down leaves ipvsadm -Ln in time, rs-up brings it back, the backup\'s IPVS serves after failover', async (t) => {
  if (!vmGate(t, 'halb lab with the IPVS dataplane', ['ip', 'bridge', 'sysctl', 'ipvsadm'])) return;
  const root = mkdtempSync(join(tmpdir(), 'halb-lab-ipvs-'));
  try {
    const t0 = Date.now();
    const up = labCli(root, NAME, ['up', '--mode', 'dr', '--dataplane', 'ipvs'], 400_000);
    assert.equal(up.status, 0, `lab up:\n${up.stderr}\n${up.stdout}`);
    process.stderr.write(`lab up took ${Date.now() - t0} ms\n`);
    assert.match(up.stdout, /dr via the ipvs dataplane/);
    for (const d of ['dir1', 'dir2']) {
      const list = ipvsadm(d, ['-Ln']);
      assert.ok(list.includes(`TCP  ${VIP}:80 rr`) && hasDest(list, RS1) && hasDest(list, RS2), `${d}'s own IPVS table has the DR service:\n${list}`);
    }
    const status = labCli(root, NAME, ['status'], 60_000);
    assert.equal(status.status, 0, status.stderr);
    assert.match(status.stdout, /VIP 192\.0\.2\.100 held by dir1\n/);
    assert.match(status.stdout, /-> 192\.0\.2\.141:80 +Route +1/, `status lists the pool as ipvsadm does:\n${status.stdout}`);

    const s = checkerSettings(readFileSync(join(root, NAME, 'dir1.conf'), 'utf8'));
    const seen = await drillWatchingIpvs(root, 'rs-down,rs-up');
    const rsDown = drillOf(seen.report, 'rs-down');
    assert.equal(rsDown.ok, true, `rs-down: ${rsDown.error ?? JSON.stringify(rsDown.checks)}`);
    assert.ok(rsDown.actionAtMs !== undefined);
    const killedAt = Date.parse(rsDown.startedAt) + rsDown.actionAtMs;
    const gone = seen.reads.find((r) => r.at >= killedAt && !hasDest(r.list, RS1));
    assert.ok(gone !== undefined, 'rs1 left dir1\'s ipvsadm -Ln');
    const leftMs = gone.at - killedAt;
    const bound = s.delayLoop + s.connectTimeout;
    const retries = s.retry * s.delayBeforeRetry;
    process.stderr.write(`rs1 killed -> gone from dir1's ipvsadm -Ln after ${leftMs} ms ` +
      `(delay_loop + connect_timeout = ${bound} ms; + retry x delay_before_retry = ${bound + retries} ms; halb logged it after ${rsDown.detection?.ms} ms)\n`);
    assert.ok(leftMs <= bound + retries + EMULATION_SLACK_MS, `rs1 left ipvsadm -Ln ${leftMs} ms after the kill (allowed ${bound + retries} + ${EMULATION_SLACK_MS} ms under emulation)`);
    assert.ok(hasDest(gone.list, RS2), 'rs2 stays');
    const failedAt = rsDown.samples.filter((x) => x[2] === 0).map((x) => `${x[0]}+${x[1]}`).join(' ');
    process.stderr.write(`rs-down: action at ${rsDown.actionAtMs} ms, detection ${JSON.stringify(rsDown.detection)}, failed requests at ${failedAt}\n`);
    assert.equal(rsDown.requests.failedAfterDetection, 0, 'no request failed once the table had the new pool; ' +
      `failed requests (start ms + duration, from the drill's start) ${failedAt}; errors ${JSON.stringify(rsDown.requests.errors)}; ` +
      `detection ${JSON.stringify(rsDown.detection)}; action at ${rsDown.actionAtMs} ms; events ${JSON.stringify(rsDown.events.filter((e) => e.kind === 'log' || e.atMs >= (rsDown.actionAtMs ?? 0) - 100))}`);

    const rsUp = drillOf(seen.report, 'rs-up');
    assert.equal(rsUp.ok, true, `rs-up: ${rsUp.error ?? JSON.stringify(rsUp.checks)}`);
    const revivedAt = Date.parse(rsUp.startedAt) + (rsUp.actionAtMs ?? 0);
    const back = seen.reads.find((r) => r.at >= revivedAt && hasDest(r.list, RS1));
    assert.ok(back !== undefined, 'rs1 is back in dir1\'s ipvsadm -Ln');
    process.stderr.write(`rs1 restarted -> back in dir1's ipvsadm -Ln after ${back.at - revivedAt} ms\n`);
    assert.ok((rsUp.requests.servedBy.rs1 ?? 0) > 0, 'rs1 served again');

    const before = ipvsadm('dir2', ['-Ln', '--stats']);
    const fo = await drillWatchingIpvs(root, 'failover');
    const failover = drillOf(fo.report, 'failover');
    assert.equal(failover.ok, true, `failover: ${failover.error ?? JSON.stringify(failover.checks)}`);
    assert.deepEqual(failover.vip.holdersAtEnd, ['dir2']);
    const after = ipvsadm('dir2', ['-Ln', '--stats']);
    const conns = (list: string): number => Number(new RegExp(`TCP  ${VIP.replace(/\./g, '\\.')}:80 +(\\d+)`).exec(list)?.[1] ?? -1);
    const took = failover.vip.takeoverMs ?? 0;
    const okAfter = fo.report.drills[0]?.samples.filter((x) => x[0] > (failover.actionAtMs ?? 0) + took && x[2] === 1).length ?? 0;
    process.stderr.write(`failover: dir2 took the VIP after ${took} ms; requests ${failover.requests.sent} sent, ${failover.requests.failed} failed, ` +
      `${okAfter} served after the takeover; dir2's IPVS service conns ${conns(before)} -> ${conns(after)}; longest outage ${failover.outage.windowMs} ms\n`);
    assert.ok(conns(after) - conns(before) >= okAfter && okAfter > 0, 'dir2\'s own IPVS table scheduled the requests served after the takeover');
    assert.ok((failover.requests.servedBy.rs1 ?? 0) > 0 && (failover.requests.servedBy.rs2 ?? 0) > 0, 'both real servers served');
  } finally {
    await labDownLeavesNothing(root, NAME);
  }
});
