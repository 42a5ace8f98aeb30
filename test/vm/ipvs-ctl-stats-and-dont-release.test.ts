// `halb ctl list --stats`, `--rate` and `-c` with the IPVS engine against ipvsadm's own
// `-Ln --stats`, `-Ln --rate` and `-Lnc` on the VM's kernel, after real HTTP traffic
// through a NAT service: the same header lines, the same rows in the same order, and
// counters that agree (no traffic runs between the two reads). Then keepalived's `-I`
// (--dont-release-ipvs): halb stopped with it leaves its service in the kernel; the next
// halb adopts it without re-adding it, and a stop without -I removes it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Lan } from '../helpers/lan.js';
import { vmGate } from '../helpers/vm.js';
import { repoRoot } from '../helpers/config-fixtures.js';

const CLI = join(repoRoot(), 'dist', 'src', 'cli', 'main.js');
const VIP = '203.0.113.10';
const REQUESTS = 12;
const CONF = `global_defs {
  router_id ipvs_stats
}
virtual_server ${VIP} 80 {
  lb_algo rr
  lb_kind NAT
  protocol TCP
  real_server 192.0.2.11 80 {
    weight 1
  }
  real_server 192.0.2.12 80 {
    weight 1
  }
}
`;
const SERVER = "const n=process.argv[1];require('http').createServer((q,s)=>{s.setHeader('connection','close');s.end(n)}).listen(80,'0.0.0.0')";
const CLIENT = `const http=require('http');let i=0;const out=[];
function one(){if(i++>=${REQUESTS}){console.log(out.join(' '));return}
const r=http.get({host:'${VIP}',port:80,agent:false,timeout:5000},(s)=>{let b='';s.on('data',(c)=>b+=c);s.on('end',()=>{out.push(b);one()})});
r.on('timeout',()=>r.destroy(new Error('timeout')));r.on('error',(e)=>{out.push('error:'+e.message);one()})}
one()`;

const lines = (s: string): string[] => s.split('\n').map((l) => l.trimEnd()).filter((l) => l !== '');
/** A row's words that are not counters: what identifies it. */
const ids = (l: string): string => l.split(/\s+/).filter((w) => !/^\d+[KMG]?$/.test(w)).join(' ');
const nums = (l: string): number[] => l.split(/\s+/).filter((w) => /^\d+$/.test(w)).map(Number);

test('halb ctl list --stats/--rate/-c match ipvsadm\'s; -I leaves the service in place for the next halb to adopt', async (t) => {
  if (!vmGate(t, 'halb ctl list against ipvsadm, and -I', ['ipvsadm'])) return;
  const lan = Lan.create('ipvs-stat', [
    { name: 'client', addresses: ['203.0.113.100/24'] },
    { name: 'director', addresses: ['203.0.113.1/24', `${VIP}/24`, '192.0.2.1/24'] },
    { name: 'rs1', addresses: ['192.0.2.11/24'] },
    { name: 'rs2', addresses: ['192.0.2.12/24'] },
  ]);
  const procs: ChildProcess[] = [];
  t.after(() => {
    for (const p of procs) p.kill('SIGKILL');
    lan.destroy();
  });
  const must = (host: string, cmd: string, args: string[]): string => {
    const r = lan.ns(host).run(cmd, args);
    assert.equal(r.status, 0, `${host}: ${cmd} ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  must('director', 'sysctl', ['-qw', 'net.ipv4.ip_forward=1', 'net.ipv4.conf.all.send_redirects=0', 'net.ipv4.conf.eth0.send_redirects=0']);
  must('client', 'ip', ['route', 'add', 'default', 'via', '203.0.113.1']);
  for (const h of ['rs1', 'rs2']) {
    must(h, 'ip', ['route', 'add', 'default', 'via', '192.0.2.1']);
    procs.push(spawn('ip', ['netns', 'exec', lan.ns(h).name, process.execPath, '-e', SERVER, h], { stdio: 'ignore' }));
  }
  const dir = mkdtempSync(join(tmpdir(), 'halb-ipvs-stats-'));
  const file = join(dir, 'keepalived.conf');
  writeFileSync(file, CONF);
  const sock = join(dir, 'halb.sock');

  const start = async (extra: string[], expect: RegExp): Promise<ChildProcess> => {
    const child = spawn('ip', ['netns', 'exec', lan.ns('director').name, process.execPath, CLI, '-n', '-l', '-f', file, ...extra,
      '--dataplane', 'ipvs', '--control-socket', sock, '--admin-listen', 'off'], { stdio: ['ignore', 'pipe', 'pipe'] });
    procs.push(child);
    let log = '';
    child.stdout?.on('data', (c: Buffer) => { log += c.toString(); });
    child.stderr?.on('data', (c: Buffer) => { log += c.toString(); });
    // Generous: node starting under emulation.
    const deadline = Date.now() + 240_000;
    while (!expect.test(log) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 200));
    assert.match(log, expect, `halb did not start as expected (exit ${child.exitCode}):\n${log}`);
    (child as ChildProcess & { log: () => string }).log = () => log;
    return child;
  };
  const stop = async (child: ChildProcess): Promise<string> => {
    child.kill('SIGTERM');
    if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
    return (child as ChildProcess & { log: () => string }).log();
  };
  const ctl = (args: string[]): string => must('director', process.execPath, [CLI, 'ctl', '--control-socket', sock, 'list', '-n', ...args]);

  const first = await start(['-I'], /start: 1 added, 0 removed, 0 updated, 0 unchanged, 0 failed/);
  const bodies = must('client', process.execPath, ['-e', CLIENT]).trim().split(' ');
  assert.deepEqual([...bodies].sort(), [...Array(REQUESTS / 2).fill('rs1'), ...Array(REQUESTS / 2).fill('rs2')], bodies.join(' '));
  // Let the last FIN/ACKs land before the two reads.
  await new Promise((r) => setTimeout(r, 1500));

  const oursStats = lines(ctl(['--stats']));
  const theirsStats = lines(must('director', 'ipvsadm', ['-Ln', '--stats']));
  process.stderr.write(`halb ctl list -n --stats:\n${oursStats.join('\n')}\nipvsadm -Ln --stats:\n${theirsStats.join('\n')}\n`);
  assert.deepEqual(oursStats.slice(0, 3), theirsStats.slice(0, 3), '--stats headers');
  assert.deepEqual(oursStats.map(ids), theirsStats.map(ids), '--stats rows');
  for (let i = 3; i < theirsStats.length; i++) {
    assert.deepEqual(nums(oursStats[i]!), nums(theirsStats[i]!), `--stats counters of ${ids(theirsStats[i]!)} (no traffic between the reads)`);
  }
  assert.equal(nums(theirsStats[3]!)[0], REQUESTS, 'the service scheduled every request');

  const oursRate = lines(ctl(['--rate']));
  const theirsRate = lines(must('director', 'ipvsadm', ['-Ln', '--rate']));
  process.stderr.write(`halb ctl list -n --rate:\n${oursRate.join('\n')}\nipvsadm -Ln --rate:\n${theirsRate.join('\n')}\n`);
  assert.deepEqual(oursRate.slice(0, 3), theirsRate.slice(0, 3), '--rate headers');
  assert.deepEqual(oursRate.map(ids), theirsRate.map(ids), '--rate rows');
  for (let i = 3; i < theirsRate.length; i++) {
    // The kernel's estimator moves every 2 s: the reads may straddle one step, never more.
    const a = nums(oursRate[i]!);
    const b = nums(theirsRate[i]!);
    assert.equal(a.length, b.length);
    a.forEach((x, j) => assert.ok(Math.abs(x - b[j]!) <= Math.max(2, b[j]! / 2), `--rate ${ids(theirsRate[i]!)} column ${j}: ${x} vs ${b[j]}`));
  }

  const conn = (l: string): string => { const w = l.split(/\s+/); return [w[0], w[2], w[3], w[4], w[5]].join(' '); };
  const oursConns = lines(ctl(['-c']));
  const theirsConns = lines(must('director', 'ipvsadm', ['-Lnc']));
  process.stderr.write(`halb ctl list -n -c: ${oursConns.length - 2} entries; ipvsadm -Lnc: ${theirsConns.length - 2}\n${oursConns.slice(0, 4).join('\n')}\n`);
  assert.deepEqual(oursConns.slice(0, 2), theirsConns.slice(0, 2), '-c headers');
  assert.deepEqual(oursConns.slice(2).map(conn).sort(), theirsConns.slice(2).map(conn).sort(), '-c rows: protocol, state, source, virtual, destination');
  // An entry per request, but IPVS expires one that ended in CLOSE after 10 s: under
  // emulation some may be gone by the time of the reads (both readers saw the same rows).
  assert.ok(theirsConns.length - 2 >= 1 && theirsConns.length - 2 <= REQUESTS, `${theirsConns.length - 2} entries for ${REQUESTS} requests`);

  // -I: stop leaves the service, and says so.
  const firstLog = await stop(first);
  assert.match(firstLog, /leaving 1 virtual service\(s\) in the kernel on stop \(--dont-release-ipvs\)/);
  assert.match(must('director', 'ipvsadm', ['-Sn']), new RegExp(`-A -t ${VIP.replace(/\./g, '\\.')}:80 -s rr`), 'the service is still in the kernel after -I');
  // The next halb adopts it as it is (nothing added), and without -I its stop removes it.
  const second = await start([], /start: 0 added, 0 removed, 0 updated, 1 unchanged/);
  assert.equal(nums(lines(ctl(['--stats']))[3]!)[0], REQUESTS, 'the adopted service kept its counters: it was never re-created');
  await stop(second);
  assert.doesNotMatch(must('director', 'ipvsadm', ['-Sn']), new RegExp(VIP.replace(/\./g, '\\.')), 'a stop without -I removes it');
});
