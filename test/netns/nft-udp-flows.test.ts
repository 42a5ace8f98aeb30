// UDP through the nft dataplane, NAT and DR: each client address:port is one flow that
// keeps its real server (conntrack for NAT, the engine's flow sets for DR), and rr
// alternates between flows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { gate } from '../helpers/netns.js';
import type { Lan } from '../helpers/lan.js';
import { createNftDataplane } from '../../src/dataplane/nft/index.js';
import type { Dataplane, DataplaneSnapshot } from '../../src/dataplane/dataplane.js';
import type { RealServerSpec } from '../../src/dataplane/model.js';
import { createLab, DR_CLIENTS, DR_VIP, drRealServers, NAT_CLIENTS, NAT_VIP, RS, stop } from './nft-lab.js';

function udpEcho(lan: Lan, host: string, name: string): Promise<ChildProcess> {
  const code = `const s=require('dgram').createSocket('udp4');s.on('message',(m,r)=>s.send('${name}',r.port,r.address));s.bind(53,()=>console.log('ready'))`;
  const p = spawn('ip', ['netns', 'exec', lan.ns(host).name, process.execPath, '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    p.stdout!.once('data', () => resolve(p));
    p.once('exit', (c) => reject(new Error(`udp echo on ${host} exited (${c})`)));
  });
}

/** From `from`, 6 sockets (6 flows) each sending twice; the answers in order, one list per socket. */
function ask(lan: Lan, vip: string, from: string): string[][] {
  const code = `const d=require('dgram');(async()=>{const out=[];for(let i=0;i<6;i++){const s=d.createSocket('udp4');` +
    `await new Promise((r)=>s.bind(0,'${from}',r));const got=[];for(let k=0;k<2;k++){got.push(await new Promise((r)=>{` +
    `const t=setTimeout(()=>r('timeout'),2000);s.once('message',(m)=>{clearTimeout(t);r(m.toString())});s.send('q',53,'${vip}');}));}` +
    `out.push(got);s.close();}console.log(JSON.stringify(out));})()`;
  const r = lan.ns('client').run(process.execPath, ['-e', code], { timeoutMs: 40_000 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as string[][];
}

test('UDP: flows keep their server, rr alternates between flows (NAT and DR)', async (t) => {
  if (!gate(t, 'nft UDP', ['nft'])) return;
  const lan = createLab('nu');
  const procs: ChildProcess[] = [];
  let dp: Dataplane | undefined;
  try {
    procs.push(await udpEcho(lan, 'rs1', 'rs1'), await udpEcho(lan, 'rs2', 'rs2'));
    drRealServers(lan);
    dp = await createNftDataplane({ netns: lan.ns('director').name, statsIntervalMs: 0 });
    const pool = (): RealServerSpec[] => [RS.rs1, RS.rs2].map((address) => ({ address, port: 53, weight: 1, healthy: true }));
    const rep = await dp.apply({
      services: [
        { protocol: 'UDP', address: NAT_VIP, port: 53, scheduler: 'rr', quorumUp: true, forwarding: 'NAT', realServers: pool() },
        { protocol: 'UDP', address: DR_VIP, port: 53, scheduler: 'rr', quorumUp: true, forwarding: 'DR', realServers: pool() },
      ],
    });
    assert.deepEqual(rep.failed, []);
    for (const [vip, from] of [[NAT_VIP, NAT_CLIENTS[0]!], [DR_VIP, DR_CLIENTS[0]!]] as const) {
      const flows = ask(lan, vip, from);
      for (const f of flows) assert.equal(f[0], f[1], `${vip}: one flow, one server: ${JSON.stringify(flows)}`);
      assert.deepEqual(flows.map((f) => f[0]), ['rs1', 'rs2', 'rs1', 'rs2', 'rs1', 'rs2'], `${vip}: rr over flows`);
    }
    await dp.refresh();
    const snap: DataplaneSnapshot = dp.snapshot();
    for (const svc of snap.services) {
      assert.deepEqual(svc.realServers.map((r) => r.stats.conns), [3, 3], `${svc.key}: three flows each`);
      assert.deepEqual(svc.realServers.map((r) => r.activeConns), [0, 0], 'UDP flows count as inactive, as IPVS');
      assert.deepEqual(svc.realServers.map((r) => r.inactiveConns), [3, 3]);
    }
  } finally {
    await dp?.close();
    stop(procs);
    lan.destroy();
  }
});
