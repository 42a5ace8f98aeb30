// DR keeps each flow's server in its own sets: a closed flow stays there for the FIN
// timeout (IPVS's 2 minutes), and a flow refused by a dead server (the director saw only
// its SYN) for the established timeout. A client that opens a new connection from the
// same port in that time (a busy client wraps its ports, and a refused connect frees its
// port at once) must be scheduled afresh when the old flow is closing (IPVS's
// conn_reuse_mode) or when the old flow's server takes no new connections (IPVS's
// expire_nodest_conn), not sent to the old flow's server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { gate } from '../helpers/netns.js';
import { createNftDataplane } from '../../src/dataplane/nft/index.js';
import type { Dataplane } from '../../src/dataplane/dataplane.js';
import type { DesiredState } from '../../src/dataplane/model.js';
import type { Lan } from '../helpers/lan.js';
import { createLab, DR_CLIENTS, DR_VIP, drRealServers, RS, stop, webServer } from './nft-lab.js';

const PORT = 40_123;

function desired(down?: string, quiesced?: string): DesiredState {
  return {
    services: [{
      protocol: 'TCP', address: DR_VIP, port: 80, scheduler: 'rr', quorumUp: true, forwarding: 'DR',
      realServers: [RS.rs1, RS.rs2].map((a) => ({ address: a, port: 80, weight: a === quiesced ? 0 : 1, healthy: a !== down })),
    }],
  };
}

/**
 * One HTTP/1.0 request from DR_CLIENTS[0]:PORT; the server closes first, so the client's
 * port is free again at once (no TIME_WAIT on the client). Answers "rsN <client port>".
 */
function getFromPort(lan: Lan): string {
  const code = `const s=require('net').connect({host:'${DR_VIP}',port:80,localAddress:'${DR_CLIENTS[0]!}',localPort:${PORT}});` +
    `let b='';s.setTimeout(3000,()=>{console.log('ERR timeout');process.exit(0)});s.on('error',(e)=>{console.log('ERR '+e.message);process.exit(0)});` +
    `s.on('connect',()=>s.write('GET /who HTTP/1.0\\r\\n\\r\\n'));s.on('data',(c)=>b+=c);` +
    `s.on('end',()=>{s.end();s.on('close',()=>console.log(b.split('\\r\\n\\r\\n')[1]))})`;
  const r = lan.ns('client').run(process.execPath, ['-e', code], { timeoutMs: 10_000 });
  return r.stdout.trim();
}

test('DR: a new connection from a closing flow\'s client port is scheduled afresh (IPVS conn_reuse_mode)', async (t) => {
  if (!gate(t, 'nft DR port reuse', ['nft'])) return;
  const lan = createLab('nr');
  const procs: ChildProcess[] = [];
  let dp: Dataplane | undefined;
  try {
    procs.push(await webServer(lan, 'rs1', 'rs1'), await webServer(lan, 'rs2', 'rs2'));
    drRealServers(lan);
    dp = await createNftDataplane({ netns: lan.ns('director').name, statsIntervalMs: 0 });
    assert.deepEqual((await dp.apply(desired())).failed, []);

    const first = getFromPort(lan);
    assert.match(first, new RegExp(`^rs[12] ${PORT}$`), `the first connection is answered: ${first}`);
    const old = first.split(' ')[0]!;
    const other = old === 'rs1' ? 'rs2' : 'rs1';

    // The old flow's server leaves the pool (its established flows would still reach it).
    assert.deepEqual((await dp.apply(desired(old === 'rs1' ? RS.rs1 : RS.rs2))).failed, []);
    const again = getFromPort(lan);
    assert.equal(again, `${other} ${PORT}`, `the same client port, a new connection: scheduled afresh to ${other}, not to ${old}'s closing flow`);

    // Both back: reused ports keep being scheduled, by rr, to both servers over a few rounds.
    assert.deepEqual((await dp.apply(desired())).failed, []);
    const seen = new Set<string>();
    for (let i = 0; i < 4; i++) seen.add(getFromPort(lan).split(' ')[0]!);
    assert.deepEqual([...seen].sort(), ['rs1', 'rs2'], 'rr over both servers, each connection on the same client port');
  } finally {
    await dp?.close();
    stop(procs);
    lan.destroy();
  }
});

test('DR: a new connection from the port of a flow refused by a dead server goes to a live one once the dead one is out', async (t) => {
  if (!gate(t, 'nft DR port reuse after a refused connection', ['nft'])) return;
  const lan = createLab('nd');
  const procs: ChildProcess[] = [];
  let dp: Dataplane | undefined;
  try {
    // rs1 has no web server: it refuses. rs2 is quiesced, so the first connection goes to rs1.
    procs.push(await webServer(lan, 'rs2', 'rs2'));
    drRealServers(lan);
    dp = await createNftDataplane({ netns: lan.ns('director').name, statsIntervalMs: 0 });
    assert.deepEqual((await dp.apply(desired(undefined, RS.rs2))).failed, []);
    assert.match(getFromPort(lan), /^ERR .*ECONNREFUSED/, 'rs1 refused the first connection (the director saw only its SYN)');

    // rs1's checker takes it out; rs2 takes connections again.
    assert.deepEqual((await dp.apply(desired(RS.rs1))).failed, []);
    assert.equal(getFromPort(lan), `rs2 ${PORT}`, 'the same client port, a new connection: to rs2, not to the refused flow\'s dead server');
  } finally {
    await dp?.close();
    stop(procs);
    lan.destroy();
  }
});
