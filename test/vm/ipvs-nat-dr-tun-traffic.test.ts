// LVS as operators run it, with halb as the director on the VM's kernel: a client, a
// director and two real servers on one LAN; HTTP from the client through the VIP,
// balanced rr, for lb_kind NAT, DR and TUN in turn. In DR and TUN the replies go from
// the real servers straight to the client: an nftables counter at the director's
// ingress sees none of them (in NAT it sees every one). `halb ctl list -n` prints what
// `ipvsadm -Ln` prints. Stopping halb removes its services and leaves an operator's.
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
const RS = { rs1: '192.0.2.11', rs2: '192.0.2.12' } as const;
const REQUESTS = 20;

function conf(kind: 'NAT' | 'DR' | 'TUN'): string {
  return `global_defs {
  router_id ipvs_${kind}
}
virtual_server ${VIP} 80 {
  lb_algo rr
  lb_kind ${kind}
  protocol TCP
${Object.values(RS).map((a) => `  real_server ${a} 80 {\n    weight 1\n  }`).join('\n')}
}
`;
}

const SERVER = "const n=process.argv[1];require('http').createServer((q,s)=>{s.setHeader('connection','close');s.end(n)}).listen(80,'0.0.0.0')";
const CLIENT = `const http=require('http');const out=[];let i=0;
function one(){if(i++>=${REQUESTS}){console.log(JSON.stringify(out));return}
const r=http.get({host:'${VIP}',port:80,agent:false,timeout:5000},(s)=>{let b='';s.on('data',(c)=>b+=c);s.on('end',()=>{out.push(b);one()})});
r.on('timeout',()=>r.destroy(new Error('timeout')));r.on('error',(e)=>{out.push('error:'+e.message);one()})}
one()`;

test('NAT, DR and TUN carry HTTP through the VIP to two real servers, rr; DR and TUN replies bypass the director', async (t) => {
  if (!vmGate(t, 'IPVS NAT/DR/TUN traffic', ['ipvsadm', 'nft'])) return;
  const lan = Lan.create('ipvs-lvs', [
    { name: 'client', addresses: ['203.0.113.100/24'] },
    { name: 'director', addresses: ['203.0.113.1/24', `${VIP}/24`, '192.0.2.1/24'] },
    { name: 'rs1', addresses: [`${RS.rs1}/24`] },
    { name: 'rs2', addresses: [`${RS.rs2}/24`] },
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
  const realservers = (args: string[]): Promise<void> => lan.halbRealserver(['rs1', 'rs2'], args);
  const dir = mkdtempSync(join(tmpdir(), 'halb-ipvs-lvs-'));
  // As the LVS-NAT how-tos: forward, and send no ICMP redirects (the replies come in and
  // go out on the same LAN; a redirect would send the real servers to the client directly).
  must('director', 'sysctl', ['-qw', 'net.ipv4.ip_forward=1', 'net.ipv4.conf.all.send_redirects=0', 'net.ipv4.conf.eth0.send_redirects=0']);
  must('client', 'ip', ['route', 'add', 'default', 'via', '203.0.113.1']);
  for (const h of ['rs1', 'rs2'] as const) {
    const p = spawn('ip', ['netns', 'exec', lan.ns(h).name, process.execPath, '-e', SERVER, h], { stdio: 'ignore' });
    procs.push(p);
  }
  // Replies seen at the director's ingress: any TCP segment from port 80.
  must('director', 'nft', ['add', 'table', 'netdev', 'count']);
  must('director', 'nft', ['add', 'chain', 'netdev', 'count', 'in', '{ type filter hook ingress device eth0 priority 0; }']);
  must('director', 'nft', ['add', 'rule', 'netdev', 'count', 'in', 'tcp', 'sport', '80', 'counter']);
  const replies = (): number => {
    const m = /counter packets (\d+)/.exec(must('director', 'nft', ['list', 'chain', 'netdev', 'count', 'in']));
    return Number(m?.[1] ?? -1);
  };
  // An operator's own service, which halb must leave alone.
  must('director', 'ipvsadm', ['-A', '-t', '203.0.113.99:81', '-s', 'wlc']);

  const startHalb = async (kind: 'NAT' | 'DR' | 'TUN'): Promise<{ child: ChildProcess; sock: string }> => {
    const file = join(dir, `${kind}.conf`);
    writeFileSync(file, conf(kind));
    const sock = join(dir, `${kind}.sock`);
    const child = spawn('ip', ['netns', 'exec', lan.ns('director').name, process.execPath, CLI, '-n', '-l', '-f', file,
      '--dataplane', 'ipvs', '--control-socket', sock, '--admin-listen', 'off'], { stdio: ['ignore', 'pipe', 'pipe'] });
    procs.push(child);
    let log = '';
    child.stdout?.on('data', (c: Buffer) => { log += c.toString(); });
    child.stderr?.on('data', (c: Buffer) => { log += c.toString(); });
    // Generous: node starting under emulation, with other test files running alongside.
    const deadline = Date.now() + 240_000;
    while (!/start: 1 added/.test(log) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 200));
    assert.match(log, /start: 1 added, 0 removed, 0 updated, 0 unchanged, 0 failed/, `halb (${kind}) did not start (exit ${child.exitCode}):\n${log}`);
    return { child, sock };
  };
  const stopHalb = async (child: ChildProcess): Promise<void> => {
    child.kill('SIGTERM');
    if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
    const left = must('director', 'ipvsadm', ['-Sn']);
    assert.doesNotMatch(left, new RegExp(VIP.replace(/\./g, '\\.')), 'halb removed its service on stop');
    assert.match(left, /-A -t 203\.0\.113\.99:81 -s wlc/, 'the operator\'s service is still there');
  };
  const traffic = (kind: string): string[] => {
    const r = lan.ns('client').run(process.execPath, ['-e', CLIENT], { timeoutMs: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    const bodies = JSON.parse(r.stdout) as string[];
    assert.deepEqual([...bodies].sort(), [...Array(REQUESTS / 2).fill('rs1'), ...Array(REQUESTS / 2).fill('rs2')], `${kind}: ${bodies.join(' ')}`);
    for (let i = 1; i < bodies.length; i++) assert.notEqual(bodies[i], bodies[i - 1], `${kind}: rr alternates: ${bodies.join(' ')}`);
    return bodies;
  };
  // The two listings are two reads of a live table: a connection that expires (InactConn)
  // between them makes them differ by one. They must agree on one of a few tries.
  const listsAgree = async (sock: string): Promise<void> => {
    const trim = (s: string): string[] => s.split('\n').map((l) => l.trimEnd()).filter((l) => l !== '');
    // ipvsadm lists every service; ours only halb's: compare halb's block, trailing blanks aside.
    const block = (lines: string[]): string[] => {
      const at = lines.findIndex((l) => l.startsWith(`TCP  ${VIP}:80 `));
      const end = lines.findIndex((l, i) => i > at && !l.startsWith('  ->'));
      return lines.slice(at, end === -1 ? undefined : end);
    };
    for (let attempt = 1; ; attempt++) {
      const ours = lan.ns('director').run(process.execPath, [CLI, 'ctl', '--control-socket', sock, 'list', '-n']);
      assert.equal(ours.status, 0, ours.stderr);
      const theirs = must('director', 'ipvsadm', ['-Ln']);
      assert.deepEqual(trim(ours.stdout).slice(0, 3), trim(theirs).slice(0, 3), 'headers');
      const [a, b] = [block(trim(ours.stdout)), block(trim(theirs))];
      if (attempt === 3 || JSON.stringify(a) === JSON.stringify(b)) {
        assert.deepEqual(a, b);
        return;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  };

  // NAT: the real servers route back through the director, which un-NATs the replies.
  for (const h of ['rs1', 'rs2']) must(h, 'ip', ['route', 'add', 'default', 'via', '192.0.2.1']);
  let run = await startHalb('NAT');
  let before = replies();
  traffic('NAT');
  const natReplies = replies() - before;
  assert.ok(natReplies >= REQUESTS * 2, `NAT: replies pass the director (${natReplies} seen)`);
  await listsAgree(run.sock);
  await stopHalb(run.child);

  // DR: the VIP on each real server's lo, ARP kept quiet, replies straight to the client.
  for (const h of ['rs1', 'rs2']) must(h, 'ip', ['route', 'replace', 'default', 'dev', 'eth0']);
  await realservers(['start', '--vip', VIP]);
  run = await startHalb('DR');
  before = replies();
  traffic('DR');
  assert.equal(replies() - before, 0, 'DR: no reply passes the director');
  assert.match(must('director', 'ipvsadm', ['-Ln']), /-> 192\.0\.2\.11:80 +Route +1 /);
  await listsAgree(run.sock);
  await stopHalb(run.child);
  await realservers(['stop', '--vip', VIP]);

  // TUN: IP-in-IP to each real server, decapsulated on tunl0 where the VIP is.
  must('rs1', 'modprobe', ['ipip']);
  const rpBefore = must('rs1', 'sysctl', ['-n', 'net.ipv4.conf.tunl0.rp_filter', 'net.ipv4.conf.all.rp_filter']);
  await realservers(['start', '--tun', '--vip', VIP]);
  assert.equal(must('rs1', 'sysctl', ['-n', 'net.ipv4.conf.tunl0.rp_filter', 'net.ipv4.conf.all.rp_filter']), '0\n0\n');
  run = await startHalb('TUN');
  before = replies();
  traffic('TUN');
  assert.equal(replies() - before, 0, 'TUN: no reply passes the director');
  assert.match(must('director', 'ipvsadm', ['-Ln']), /-> 192\.0\.2\.12:80 +Tunnel +1 /);
  await listsAgree(run.sock);
  await stopHalb(run.child);
  await realservers(['stop', '--tun', '--vip', VIP]);
  for (const h of ['rs1', 'rs2']) {
    assert.doesNotMatch(must(h, 'ip', ['-4', 'addr', 'show', 'dev', 'tunl0']), new RegExp(VIP.replace(/\./g, '\\.')));
  }
  assert.equal(must('rs1', 'sysctl', ['-n', 'net.ipv4.conf.tunl0.rp_filter', 'net.ipv4.conf.all.rp_filter']), rpBefore, 'rp_filter back as found');
});
