// keepalived's notify FIFOs and startup/shutdown scripts, run by the real daemon as an
// operator configures them, with Debian's keepalived 2.2.7 as the oracle for the VRRP
// side: the same keepalived.conf is run by each in turn, alone on its LAN, and the lines
// their vrrp_notify_fifo reader collected are compared per instance and sync group
// (BACKUP at start, then MASTER; halb's reader also gets the STOP lines keepalived's
// never sees). The LVS side (keepalived's checker needs
// IPVS, absent from this kernel) is checked against ipwrapper.c's formats: a real server
// killed and restarted gives RS DOWN, VS DOWN, RS UP, VS UP. Both daemons run
// startup_script before anything else and shutdown_script last, and remove the FIFOs
// they created.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Lan } from '../helpers/lan.js';
import { gate } from '../helpers/netns.js';
import { VrrpNode, makeWorkDir, removeWorkDir, waitUntil } from '../helpers/vrrp-nodes.js';

const VIP = '192.0.2.240';
const RS_PORT = 9301;

function conf(dir: string, name: string): string {
  return `global_defs {
    router_id fifo_${name}
    script_user root
    vrrp_notify_fifo ${dir}/${name}-vrrp.fifo
    vrrp_notify_fifo_script "${dir}/reader.sh ${dir}/${name}-vrrp.lines"
    lvs_notify_fifo ${dir}/${name}-lvs.fifo
    lvs_notify_fifo_script "${dir}/reader.sh ${dir}/${name}-lvs.lines"
    startup_script "${dir}/mark.sh ${dir}/${name}.marks startup"
    shutdown_script "${dir}/mark.sh ${dir}/${name}.marks shutdown"
}
vrrp_sync_group G {
    group {
        VI_1
        VI_2
    }
}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 91
    version 3
    priority 150
    advert_int 0.2
    virtual_ipaddress {
        ${VIP}/24
    }
}
vrrp_instance VI_2 {
    state BACKUP
    interface eth0
    virtual_router_id 92
    version 3
    priority 120
    advert_int 0.2
    virtual_ipaddress {
        192.0.2.241/24
    }
}
virtual_server ${VIP} 8080 {
    delay_loop 1
    lb_algo rr
    lb_kind NAT
    protocol TCP
    real_server 192.0.2.1 ${RS_PORT} {
        TCP_CHECK {
            connect_timeout 1
            retry 1
        }
    }
}
`;
}

const lines = (file: string): string[] => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => l !== '') : []);
/** The lines about one instance or group, in the order written. */
const about = (all: readonly string[], name: string): string[] => all.filter((l) => l.includes(`"${name}"`));

async function runOnce(lan: Lan, dir: string, who: 'halb' | 'keepalived'): Promise<{ node: VrrpNode; vrrp: string[] }> {
  const ns = lan.ns('d');
  const node = who === 'halb'
    ? VrrpNode.halbDaemon(ns, dir, who, conf(dir, who))
    : VrrpNode.keepalived(ns, dir, who, conf(dir, who).replace(/virtual_server[\s\S]*$/, ''));
  const file = join(dir, `${who}-vrrp.lines`);
  const master = (): boolean => about(lines(file), 'VI_1').some((l) => l.includes('MASTER')) && about(lines(file), 'G').some((l) => l.includes('MASTER'));
  assert.ok(await waitUntil(master, 10_000), `${who}: no MASTER line in ${file}: ${lines(file).join(' | ')}\n${node.output}`);
  return { node, vrrp: lines(file) };
}

test('notify FIFOs and startup/shutdown scripts: halb writes what keepalived 2.2.7 writes', { timeout: 90_000 }, async (t) => {
  if (!gate(t, 'notify FIFOs with keepalived', ['keepalived'])) return;
  const lan = Lan.create('fifo', [{ name: 'd', addresses: ['192.0.2.1/24'] }]);
  const dir = makeWorkDir('fifo');
  const procs: ChildProcess[] = [];
  const nodes: VrrpNode[] = [];
  try {
    writeFileSync(join(dir, 'reader.sh'), '#!/bin/sh\n# $1: where to append; $2: the FIFO (added by the daemon)\nwhile read -r line; do echo "$line" >> "$1"; done < "$2"\n');
    writeFileSync(join(dir, 'mark.sh'), '#!/bin/sh\nsleep 0.3\necho "$2" >> "$1"\n');
    chmodSync(join(dir, 'reader.sh'), 0o755);
    chmodSync(join(dir, 'mark.sh'), 0o755);

    // keepalived first: its lines are what halb must write.
    const ka = await runOnce(lan, dir, 'keepalived');
    nodes.push(ka.node);
    await ka.node.stop();
    // keepalived terminates its scripts, the FIFO reader among them, before it writes the
    // STOP lines (vrrp_daemon.c: script_killall, then notify_shutdown): its reader never
    // sees them. halb writes them while its reader runs (docs/scripts.md).
    assert.ok(await ka.node.waitFor(/Stopped Keepalived/, 5000), ka.node.output);
    const kaLines = lines(join(dir, 'keepalived-vrrp.lines'));

    const rs = spawn('ip', ['netns', 'exec', lan.ns('d').name, process.execPath, '-e',
      `require('net').createServer((s)=>s.end()).listen(${RS_PORT},'192.0.2.1')`], { stdio: 'ignore', detached: true });
    procs.push(rs);
    const h = await runOnce(lan, dir, 'halb');
    nodes.push(h.node);
    // The startup script ran, and was waited for, before VRRP started.
    const out = h.node.output;
    const started = out.indexOf('startup script exited with status 0');
    assert.ok(started >= 0 && started < out.indexOf('Entering BACKUP STATE'), `startup script before VRRP\n${out}`);

    // LVS side: the real server dies, then comes back.
    const lvsFile = join(dir, 'halb-lvs.lines');
    assert.ok(await waitUntil(() => existsSync(join(dir, 'halb-lvs.fifo')), 2000), 'lvs FIFO created');
    rs.kill('SIGKILL');
    assert.ok(await waitUntil(() => lines(lvsFile).length >= 2, 8000), `RS/VS DOWN: ${lines(lvsFile).join(' | ')}\n${h.node.output}`);
    const again = spawn('ip', ['netns', 'exec', lan.ns('d').name, process.execPath, '-e',
      `require('net').createServer((s)=>s.end()).listen(${RS_PORT},'192.0.2.1')`], { stdio: 'ignore', detached: true });
    procs.push(again);
    assert.ok(await waitUntil(() => lines(lvsFile).length >= 4, 8000), `RS/VS UP: ${lines(lvsFile).join(' | ')}\n${h.node.output}`);
    assert.deepEqual(lines(lvsFile), [
      `RS [192.0.2.1]:tcp:${RS_PORT} [${VIP}]:tcp:8080 DOWN`,
      `VS [${VIP}]:tcp:8080 DOWN`,
      `RS [192.0.2.1]:tcp:${RS_PORT} [${VIP}]:tcp:8080 UP`,
      `VS [${VIP}]:tcp:8080 UP`,
    ]);

    await h.node.stop();
    const halbFile = join(dir, 'halb-vrrp.lines');
    const stops = (): string[] => lines(halbFile).filter((l) => / STOP /.test(l));
    assert.ok(await waitUntil(() => stops().length === 3, 5000), `halb wrote STOP for VI_1, VI_2 and G: ${lines(halbFile).join(' | ')}\n${h.node.output}`);
    const halbLines = lines(halbFile).filter((l) => !/ STOP /.test(l));
    t.diagnostic(`keepalived: ${kaLines.join(' | ')}`);
    t.diagnostic(`halb:       ${lines(halbFile).join(' | ')}`);
    for (const name of ['VI_1', 'VI_2', 'G']) assert.deepEqual(about(halbLines, name), about(kaLines, name), `lines about ${name}`);
    assert.deepEqual(stops().sort(), ['GROUP "G" STOP 0', 'INSTANCE "VI_1" STOP 150', 'INSTANCE "VI_2" STOP 120']);

    for (const who of ['keepalived', 'halb']) {
      assert.deepEqual(lines(join(dir, `${who}.marks`)), ['startup', 'shutdown'], `${who}: startup then shutdown script`);
      for (const side of ['vrrp', 'lvs']) assert.equal(existsSync(join(dir, `${who}-${side}.fifo`)), false, `${who} removed its ${side} FIFO`);
    }
  } finally {
    for (const n of nodes) await n.kill9();
    for (const p of procs) if (p.exitCode === null && p.pid !== undefined) { try { process.kill(-p.pid, 'SIGKILL'); } catch { /* gone */ } }
    lan.destroy();
    removeWorkDir(dir);
  }
});
