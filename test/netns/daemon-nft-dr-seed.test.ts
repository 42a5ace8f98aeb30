// The seeds' LVS-DR set-up driven the way an operator would: `halb realserver start --vip`
// on each real server (lvs_dr_rs.sh), and on the director the real daemon
// `halb -n -l -f keepalived.conf --dataplane nft` with the seed's virtual_server
// (lb_kind DR, TCP_CHECK). The client is served by both real servers through the VIP;
// `halb ctl list` shows the Route forward; a real server killed leaves after its check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gate } from '../helpers/netns.js';
import { makeWorkDir, removeWorkDir, waitUntil } from '../helpers/vrrp-nodes.js';
import { HALB } from '../helpers/daemon-process.js';
import { count, createLab, DR_CLIENTS, DR_VIP, HttpClient, RS, stop, webServer } from './nft-lab.js';

const conf = `virtual_server ${DR_VIP} 80 {
    delay_loop 1
    lb_algo rr
    lb_kind DR
    protocol TCP
    real_server ${RS.rs1} 80 {
        weight 1
        TCP_CHECK {
            connect_timeout 1
            retry 0
        }
    }
    real_server ${RS.rs2} 80 {
        weight 1
        TCP_CHECK {
            connect_timeout 1
            retry 0
        }
    }
}
`;

test('seed LVS-DR with the daemon: halb realserver on the real servers, --dataplane nft on the director', async (t) => {
  if (!gate(t, 'the daemon with the nft dataplane in DR', ['nft', 'ip'])) return;
  const lan = createLab('dd');
  const dir = makeWorkDir('nft-dr-daemon');
  const procs: ChildProcess[] = [];
  let client: HttpClient | undefined;
  try {
    for (const h of ['rs1', 'rs2'] as const) {
      const r = lan.ns(h).run(process.execPath, [HALB, 'realserver', 'start', '--vip', DR_VIP]);
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.match(lan.ns(h).run('ip', ['-4', 'addr', 'show', 'dev', 'lo']).stdout, new RegExp(`${DR_VIP.replaceAll('.', '\\.')}/32`));
    }
    procs.push(await webServer(lan, 'rs1', 'rs1'), await webServer(lan, 'rs2', 'rs2'));
    const file = join(dir, 'keepalived.conf');
    writeFileSync(file, conf);
    const sock = join(dir, 'halb.sock');
    let out = '';
    const daemon = spawn('ip', ['netns', 'exec', lan.ns('director').name, process.execPath, HALB, '-n', '-l', '-f', file,
      '--dataplane', 'nft', '--control-socket', sock, '--admin-listen', 'off'], { stdio: ['ignore', 'pipe', 'pipe'] });
    procs.push(daemon);
    daemon.stdout?.on('data', (c: Buffer) => { out += c.toString(); });
    daemon.stderr?.on('data', (c: Buffer) => { out += c.toString(); });
    const ctl = (...args: string[]) => lan.ns('director').run(process.execPath, [HALB, 'ctl', '--control-socket', sock, ...args]);
    assert.ok(await waitUntil(() => ctl('list', '-n').status === 0, 10_000, 100), `daemon up\n${out}`);
    assert.match(ctl('list', '-n').stdout, new RegExp(`-> ${RS.rs1.replaceAll('.', '\\.')}:80 +Route +1 `));

    client = new HttpClient(lan);
    const names = await client.batch(DR_CLIENTS.slice(0, 4).flatMap((from) => [{ host: DR_VIP, from }, { host: DR_VIP, from }]));
    assert.deepEqual(count(names), { rs1: 4, rs2: 4 }, `rr through the kernel: ${names.join(',')}\n${out}`);

    // Kill rs2's web server: its TCP_CHECK (delay_loop 1, retry 0) takes it out.
    stop([procs[1]!]);
    assert.ok(await waitUntil(() => !ctl('list', '-n').stdout.includes(`${RS.rs2}:80`), 6000, 100), `rs2 removed\n${out}`);
    const after = await client.batch(DR_CLIENTS.slice(4, 8).map((from) => ({ host: DR_VIP, from })));
    assert.deepEqual(after, ['rs1', 'rs1', 'rs1', 'rs1']);
  } finally {
    client?.close();
    stop(procs);
    lan.destroy();
    removeWorkDir(dir);
  }
});
