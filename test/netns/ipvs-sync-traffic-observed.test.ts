// With `lvs_sync_daemon eth0 VI_1` in its config, halb joins the IPVS sync group on eth0
// and counts what arrives: a peer on the LAN multicasts the captured v1 message (5
// connections) three times to 224.0.0.81:8848, and one datagram whose size field lies;
// `halb ctl status` and /metrics show 3 messages, 15 connections and 1 drop (BOGUS_SIZE).
// With an IPv6 `group` (sent to the kernel as MCAST_GROUP6) the observer joins it on eth0.
// Without the IPVS dataplane, running the kernel's sync daemons is logged as not applicable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Lan } from '../helpers/lan.js';
import { gate } from '../helpers/netns.js';
import { makeWorkDir, removeWorkDir, repoRoot, VrrpNode, waitUntil } from '../helpers/vrrp-nodes.js';
import type { IpvsSyncStatus } from '../../src/api/control-protocol.js';

const CAPTURE = fileURLToPath(new URL('../../../test/fixtures/ipvs-sync/capture-nat-5-conns.hex', import.meta.url));

const CONF = `global_defs {
    router_id obs
    lvs_sync_daemon eth0 VI_1 id 5
}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 71
    priority 50
    advert_int 1
    virtual_ipaddress {
        192.0.2.70/24
    }
}
`;

test('IPVS sync messages multicast on the LAN are counted in status and metrics', async (t) => {
  if (!gate(t, 'IPVS sync observer', ['ip'])) return;
  const lan = Lan.create(`is${process.pid % 10000}`, [
    { name: 'dir1', addresses: ['192.0.2.1/24'] },
    { name: 'peer', addresses: ['192.0.2.2/24'] },
  ]);
  const dir = makeWorkDir('ipvs-sync');
  let node: VrrpNode | undefined;
  try {
    node = VrrpNode.halbDaemon(lan.ns('dir1'), dir, 'dir1', CONF);
    assert.ok(await node.waitFor(/observing IPVS sync traffic on eth0 \(224\.0\.0\.81:8848\)/, 15_000), node.output);
    // Not the IPVS dataplane: no kernel daemon to run, said once, and the daemon serves on.
    assert.ok(await node.waitFor(/lvs_sync_daemon eth0 not applicable: the (nft|proxy) dataplane has no kernel IPVS connection table to sync/, 15_000), node.output);
    const hex = readFileSync(CAPTURE, 'utf8').split('\n').filter((l) => !l.startsWith('#')).join('').replace(/\s+/g, '');
    const code = `const d=require('dgram');const s=d.createSocket('udp4');s.bind(()=>{s.setMulticastInterface('192.0.2.2');s.setMulticastTTL(1);` +
      `const m=Buffer.from('${hex}','hex');const bad=Buffer.from(m);bad.writeUInt16BE(100,2);` +
      `const q=[m,m,m,bad];const next=()=>{const b=q.shift();if(!b){s.close();return}s.send(b,8848,'224.0.0.81',(e)=>{if(e){console.error(e.message);process.exit(1)}setTimeout(next,50)})};next()})`;
    const sent = lan.ns('peer').run(process.execPath, ['-e', code], { timeoutMs: 10_000 });
    assert.equal(sent.status, 0, sent.stderr);
    const cli = join(repoRoot(), 'dist', 'src', 'cli', 'main.js');
    const status = (): IpvsSyncStatus | undefined => {
      const r = spawnSync(process.execPath, [cli, 'ctl', '--control-socket', join(dir, 'dir1.sock'), 'status'], { encoding: 'utf8', timeout: 10_000 });
      return r.status === 0 ? (JSON.parse(r.stdout) as { daemon: { ipvsSync?: IpvsSyncStatus } }).daemon.ipvsSync : undefined;
    };
    assert.ok(await waitUntil(() => (status()?.messages ?? 0) >= 3 && Object.keys(status()?.dropped ?? {}).length > 0, 10_000, 200), JSON.stringify(status()));
    const s = status()!;
    assert.deepEqual({ listening: s.listening, messages: s.messages, conns: s.conns, templates: s.templates, dropped: s.dropped },
      { listening: true, messages: 3, conns: 15, templates: 0, dropped: { BOGUS_SIZE: 1 } });
    const m = lan.ns('dir1').run(process.execPath, ['-e', "require('http').get('http://127.0.0.1:9480/metrics',(r)=>{let b='';r.on('data',(c)=>b+=c);r.on('end',()=>process.stdout.write(b))})"], { timeoutMs: 10_000 });
    assert.match(m.stdout, /^halb_ipvs_sync_messages_total\{interface="eth0"\} 3$/m);
    assert.match(m.stdout, /^halb_ipvs_sync_connections_total\{interface="eth0"\} 15$/m);
    assert.match(m.stdout, /^halb_ipvs_sync_dropped_total\{interface="eth0",reason="BOGUS_SIZE"\} 1$/m);
  } finally {
    await node?.stop();
    lan.destroy();
    removeWorkDir(dir);
  }
});

test('an IPv6 sync group is joined on the interface and counted', async (t) => {
  if (!gate(t, 'IPVS sync observer, IPv6 group', ['ip'])) return;
  const lan = Lan.create(`i6${process.pid % 10000}`, [
    { name: 'dir1', addresses: ['192.0.2.1/24'] },
    { name: 'peer', addresses: ['192.0.2.2/24'] },
  ]);
  const dir = makeWorkDir('ipvs-sync6');
  let node: VrrpNode | undefined;
  try {
    node = VrrpNode.halbDaemon(lan.ns('dir1'), dir, 'dir1', CONF.replace('id 5', 'id 5 group ff02::81 port 8849'));
    assert.ok(await node.waitFor(/observing IPVS sync traffic on eth0 \(\[ff02::81\]:8849\)/, 15_000), node.output);
    const hex = readFileSync(CAPTURE, 'utf8').split('\n').filter((l) => !l.startsWith('#')).join('').replace(/\s+/g, '');
    const code = `const d=require('dgram');const s=d.createSocket('udp6');s.bind(()=>{s.setMulticastInterface('::%eth0');` +
      `const m=Buffer.from('${hex}','hex');let n=2;const next=()=>{if(n--===0){s.close();return}` +
      `s.send(m,8849,'ff02::81%eth0',(e)=>{if(e){console.error(e.message);process.exit(1)}setTimeout(next,50)})};next()})`;
    const sent = lan.ns('peer').run(process.execPath, ['-e', code], { timeoutMs: 10_000 });
    assert.equal(sent.status, 0, sent.stderr);
    const cli = join(repoRoot(), 'dist', 'src', 'cli', 'main.js');
    const status = (): IpvsSyncStatus | undefined => {
      const r = spawnSync(process.execPath, [cli, 'ctl', '--control-socket', join(dir, 'dir1.sock'), 'status'], { encoding: 'utf8', timeout: 10_000 });
      return r.status === 0 ? (JSON.parse(r.stdout) as { daemon: { ipvsSync?: IpvsSyncStatus } }).daemon.ipvsSync : undefined;
    };
    assert.ok(await waitUntil(() => (status()?.messages ?? 0) >= 2, 10_000, 200), JSON.stringify(status()));
    const s = status()!;
    assert.deepEqual({ group: s.group, port: s.port, listening: s.listening, messages: s.messages, conns: s.conns },
      { group: 'ff02::81', port: 8849, listening: true, messages: 2, conns: 10 });
  } finally {
    await node?.stop();
    lan.destroy();
    removeWorkDir(dir);
  }
});
