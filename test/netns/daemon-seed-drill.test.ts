// The seeds' set-up end to end with the real daemon: two directors share a VIP (halb
// `-n -l -f keepalived.conf` as MASTER, Debian's keepalived as BACKUP), two web servers
// behind the VIP, a client. The client reaches the pool through the VIP; kill -9 of
// halb moves the VIP to keepalived within Master_Down_Interval; restarting halb takes
// it back (preempt) and the virtual server answers on the VIP again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Lan } from '../helpers/lan.js';
import { gate } from '../helpers/netns.js';
import { makeWorkDir, removeWorkDir, VrrpNode, waitUntil } from '../helpers/vrrp-nodes.js';
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';

const VIP = '192.0.2.50';

function vrrpBlock(state: string, prio: number): string {
  return `vrrp_instance VI_1 {
    state ${state}
    interface eth0
    virtual_router_id 51
    priority ${prio}
    advert_int 1
    authentication {
        auth_type PASS
        auth_pass 1111
    }
    virtual_ipaddress {
        ${VIP}/24
    }
}
`;
}

const lvsBlock = `virtual_server ${VIP} 80 {
    delay_loop 2
    lb_algo rr
    lb_kind NAT
    protocol TCP
    real_server 192.0.2.11 80 {
        weight 1
        TCP_CHECK {
            connect_timeout 1
        }
    }
    real_server 192.0.2.12 80 {
        weight 1
        TCP_CHECK {
            connect_timeout 1
        }
    }
}
`;

function webServer(lan: Lan, host: string, name: string): ChildProcess {
  const code = `require('http').createServer((q,r)=>r.end('${name}')).listen(80,'0.0.0.0')`;
  return spawn('ip', ['netns', 'exec', lan.ns(host).name, process.execPath, '-e', code], { stdio: 'ignore', detached: true });
}

function curl(lan: Lan): string | undefined {
  const code = `require('http').get({host:'${VIP}',port:80,agent:false,timeout:2000},(r)=>{let b='';r.on('data',(c)=>b+=c);r.on('end',()=>{process.stdout.write(b)})}).on('error',()=>process.exit(1)).on('timeout',function(){this.destroy()})`;
  const r = lan.ns('client').run(process.execPath, ['-e', code], { timeoutMs: 5000 });
  return r.status === 0 ? r.stdout : undefined;
}

test('seed drill with the real daemon: VIP + virtual server on halb, failover to keepalived, preempt back', async (t) => {
  if (!gate(t, 'the seeds\' drill with halb and keepalived', ['keepalived', 'ip'])) return;
  const lan = Lan.create(`sd${process.pid % 10000}`, [
    { name: 'client', addresses: ['192.0.2.100/24'] },
    { name: 'dir1', addresses: ['192.0.2.1/24'] },
    { name: 'dir2', addresses: ['192.0.2.2/24'] },
    { name: 'rs1', addresses: ['192.0.2.11/24'] },
    { name: 'rs2', addresses: ['192.0.2.12/24'] },
  ]);
  const dir = makeWorkDir('seed-drill');
  const webs = [webServer(lan, 'rs1', 'web1'), webServer(lan, 'rs2', 'web2')];
  const nodes: VrrpNode[] = [];
  try {
    let halb = VrrpNode.halbDaemon(lan.ns('dir1'), dir, 'halb', `global_defs {\n  router_id dir1\n}\n${vrrpBlock('MASTER', 150)}${lvsBlock}`);
    nodes.push(halb);
    const ka = VrrpNode.keepalived(lan.ns('dir2'), dir, 'ka', `global_defs {\n  router_id dir2\n}\n${vrrpBlock('BACKUP', 100)}`);
    nodes.push(ka);

    assert.ok(await waitUntil(() => lan.holds('dir1', VIP), 8000), `halb takes the VIP\n${halb.output}`);
    assert.ok(await ka.waitFor(/Entering BACKUP STATE/, 5000), 'keepalived is BACKUP');
    // The proxy listens on the VIP once VRRP has put it on the host; both web servers answer.
    const answers = new Set<string>();
    assert.ok(await waitUntil(() => {
      const a = curl(lan);
      if (a !== undefined) answers.add(a);
      return answers.size === 2;
    }, 10_000, 100), `the client reaches web1 and web2 through the VIP (got ${[...answers].join(',')})\n${halb.output}`);
    assert.equal(lan.whoAnswers('client', VIP), 'dir1');

    // kill -9 the master: keepalived takes over within Master_Down_Interval (3.61 s) + slack.
    await halb.kill9();
    const t0 = performance.now();
    assert.ok(await waitUntil(() => lan.holds('dir2', VIP), 6000, 20), 'keepalived takes the VIP');
    const takeover = performance.now() - t0;
    console.log(`keepalived took the VIP ${takeover.toFixed(0)} ms after kill -9 of halb (Master_Down_Interval 3609 ms)`);
    assert.ok(takeover <= 3609 + 600, `takeover ${takeover.toFixed(0)} ms`);

    // Restart halb: it preempts (priority 150 > 100) and serves on the VIP again.
    halb = VrrpNode.halbDaemon(lan.ns('dir1'), dir, 'halb2', `${vrrpBlock('MASTER', 150)}${lvsBlock}`);
    nodes.push(halb);
    assert.ok(await waitUntil(() => lan.holds('dir1', VIP) && !lan.holds('dir2', VIP), 8000), `halb preempts back\n${halb.output}`);
    assert.ok(await waitUntil(() => curl(lan) !== undefined, 8000, 100), 'the virtual server answers on the VIP after preempting back');
    assert.equal(lan.whoAnswers('client', VIP), 'dir1');
    assert.ok(await ka.waitFor(/Entering BACKUP STATE[\s\S]*Entering MASTER STATE[\s\S]*Entering BACKUP STATE/, 3000), 'keepalived went BACKUP -> MASTER -> BACKUP');
  } finally {
    for (const n of nodes) await n.stop();
    for (const w of webs) if (w.pid !== undefined) { try { process.kill(-w.pid, 'SIGKILL'); } catch { /* gone */ } }
    lan.destroy();
    removeWorkDir(dir);
  }
});
