// `halb lab up --dataplane nft` in both of its modes, run as the CLI as a user would:
// NAT (the kernel's DNAT, real servers routed through a gateway VIP) and the seeds' LVS-DR.
// In each, the VIP answers from both real servers in turn, the director's counters show
// which way the replies went (through it for NAT, straight to the client for DR), a dead
// real server leaves the pool with no failed request after the dataplane had the new
// pool, it comes back, the VIP moves within Master_Down_Interval when the master dies,
// and `down` leaves nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gate } from '../helpers/netns.js';
import { drillOf, labCli, labDownLeavesNothing, LAB_CLI } from '../helpers/lab-cli.js';
import { FAILOVER_SLACK_MS } from '../../src/lab/measure.js';
import type { LabReport } from '../../src/lab/report-types.js';

const NAME = `d${process.pid % 100000}`;
const VIP = '192.0.2.100';
/** 3 * advert_int + (256 - 100) / 256 * advert_int for dir2, the backup at priority 100. */
const MASTER_DOWN_MS = 3000 + (156 * 1000) / 256;

interface ServiceStats {
  readonly address: string;
  readonly stats: { readonly conns: number; readonly inPkts: number; readonly outPkts: number };
  readonly realServers: readonly { readonly forward: string }[];
}

/** `n` requests to the VIP from the client, each on a new connection: the bodies, in order. */
function getMany(n: number): string[] {
  const code = `const http=require('http');(async()=>{for(let i=0;i<${n};i++){` +
    `const b=await new Promise((res)=>{const q=http.get({host:'${VIP}',agent:false,timeout:2000},(r)=>{let s='';r.on('data',(c)=>s+=c);r.on('end',()=>res(s.trim()))});` +
    `q.on('timeout',()=>q.destroy(new Error('timeout')));q.on('error',(e)=>res('ERR '+e.message))});console.log(b)}})()`;
  const r = spawnSync('ip', ['netns', 'exec', `hlab-${NAME}-client`, process.execPath, '-e', code], { encoding: 'utf8', timeout: 30_000 });
  return r.stdout.trim().split('\n');
}

function service(root: string, director: string): ServiceStats {
  const r = spawnSync(process.execPath, [LAB_CLI, 'ctl', '--control-socket', join(root, NAME, `${director}.sock`), 'list', '--stats', '--json'], {
    encoding: 'utf8', timeout: 15_000,
  });
  assert.equal(r.status, 0, `halb ctl list on ${director}: ${r.stderr}`);
  const svc = (JSON.parse(r.stdout) as { services: ServiceStats[] }).services.find((s) => s.address === VIP);
  assert.ok(svc !== undefined, `${director} has the VIP's service`);
  return svc;
}

for (const mode of ['nat', 'dr'] as const) {
  test(`halb lab in ${mode.toUpperCase()} via nft: balanced, replies ${mode === 'dr' ? 'bypass' : 'cross'} the director, rs-down, rs-up and failover drills hold`, async (t) => {
    if (!gate(t, `halb lab --mode ${mode} --dataplane nft`, ['ip', 'bridge', 'sysctl', 'nft'])) return;
    const root = mkdtempSync(join(tmpdir(), `halb-lab-${mode}-`));
    try {
      await labDrills(root, mode);
    } finally {
      await labDownLeavesNothing(root, NAME);
    }
  });
}

async function labDrills(root: string, mode: 'nat' | 'dr'): Promise<void> {
  const up = labCli(root, NAME, ['up', '--mode', mode, '--dataplane', 'nft'], 60_000);
  assert.equal(up.status, 0, `lab up:\n${up.stderr}\n${up.stdout}`);
  assert.match(up.stdout, new RegExp(`${mode} via the nft dataplane`));

  const before = service(root, 'dir1');
  const forward = mode === 'dr' ? 'Route' : 'Masq';
  assert.ok(before.realServers.every((r) => r.forward === forward), `the real servers are forwarded as ipvsadm's "${forward}"`);
  const bodies = getMany(8);
  assert.deepEqual([...bodies].sort(), ['rs1', 'rs1', 'rs1', 'rs1', 'rs2', 'rs2', 'rs2', 'rs2'], `rr over two real servers: ${bodies.join(', ')}`);
  const after = service(root, 'dir1');
  assert.ok(after.stats.conns - before.stats.conns >= 8, `dir1 scheduled the 8 connections (${before.stats.conns} -> ${after.stats.conns})`);
  assert.ok(after.stats.inPkts - before.stats.inPkts >= 8 * 4, 'the client\'s packets crossed dir1');
  if (mode === 'dr') assert.equal(after.stats.outPkts, 0, 'no packet from the VIP crossed dir1: the real servers answered the client directly');
  else assert.ok(after.stats.outPkts - before.stats.outPkts >= 8 * 3, 'the replies crossed dir1, translated back to the VIP');

  const run = labCli(root, NAME, ['drill', 'rs-down,rs-up,failover', '--json', '--no-html'], 120_000);
  assert.ok(run.stdout.trim().startsWith('{'), `drills printed JSON:\n${run.stderr}\n${run.stdout.slice(0, 2000)}`);
  const report = JSON.parse(run.stdout) as LabReport;
  process.stderr.write(`${run.stderr}\n`);

  const rsDown = drillOf(report, 'rs-down');
  assert.equal(rsDown.ok, true, rsDown.error);
  assert.ok(rsDown.detection !== undefined && rsDown.detection.ms < 5000, `dir1 detected the dead real server (${rsDown.detection?.ms} ms)`);
  assert.ok(rsDown.detection.appliedMs !== undefined && rsDown.detection.appliedMs >= rsDown.detection.ms, 'the dataplane update followed the verdict');
  assert.equal(rsDown.requests.failedAfterDetection, 0, 'no failed request once the dataplane had the new pool');
  assert.ok((rsDown.requests.servedBy.rs2 ?? 0) > 0);

  const rsUp = drillOf(report, 'rs-up');
  assert.ok(rsUp.detection?.firstServedMs !== undefined, 'rs1 served again');
  assert.equal(rsUp.requests.failed, 0);

  const failover = drillOf(report, 'failover');
  assert.equal(failover.ok, true, failover.error);
  assert.ok(failover.outage.windowMs > 0 && failover.outage.windowMs < MASTER_DOWN_MS + FAILOVER_SLACK_MS,
    `failover window ${failover.outage.windowMs} ms < Master_Down_Interval ${MASTER_DOWN_MS} ms + ${FAILOVER_SLACK_MS} ms`);
  assert.deepEqual(failover.vip.holdersAtEnd, ['dir2']);
  assert.ok((failover.requests.servedBy.rs1 ?? 0) > 0 && (failover.requests.servedBy.rs2 ?? 0) > 0, 'dir2 balanced over both real servers');
}
