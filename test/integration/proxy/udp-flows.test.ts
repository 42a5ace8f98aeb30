import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { ProxyEngine } from '../../../src/dataplane/proxy/engine.js';
import { freePort, rs, service, startUdpBackend, until, within, type UdpBackend } from './helpers.js';

let engine: ProxyEngine;
let backends: UdpBackend[] = [];
let vport = 0;
const clients: dgram.Socket[] = [];

before(async () => {
  backends = await Promise.all(['u1', 'u2'].map((n) => startUdpBackend(n)));
  vport = await freePort('127.0.0.1', 'udp');
  engine = new ProxyEngine({ tickMs: 25 });
  const r = await engine.apply({
    services: [service(vport, backends.map((b) => rs(b)), { protocol: 'UDP', timeouts: { udpMs: 300 } })],
  });
  assert.deepEqual(r.failed, []);
});

after(async () => {
  for (const c of clients) c.close();
  await engine.close();
  await Promise.all(backends.map((b) => b.close()));
});

async function client(): Promise<{ ask(text: string): Promise<string> }> {
  const s = dgram.createSocket('udp4');
  clients.push(s);
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  return {
    ask: (text) => within(2000, `answer to ${text}`, new Promise<string>((resolve) => {
      s.once('message', (m) => resolve(m.toString()));
      s.send(text, vport, '127.0.0.1');
    })),
  };
}

test('each client address:port is one flow, pinned to one real server; flows alternate by rr', async () => {
  const c1 = await client();
  const c2 = await client();
  const r1 = await c1.ask('hello');
  const r2 = await c2.ask('hello');
  const s1 = r1.split(':')[0];
  const s2 = r2.split(':')[0];
  assert.deepEqual([r1.slice(3), r2.slice(3)], ['hello', 'hello']);
  assert.notEqual(s1, s2);
  for (let i = 0; i < 10; i++) {
    assert.equal(await c1.ask(`m${i}`), `${s1}:m${i}`);
    assert.equal(await c2.ask(`m${i}`), `${s2}:m${i}`);
  }
  // One proxy-side socket per flow: each real server saw exactly one peer port.
  assert.deepEqual(backends.map((b) => b.peers.size), [1, 1]);
  const svc = engine.snapshot().services[0]!;
  assert.equal(svc.stats.conns, 2);
  assert.equal(svc.stats.inPkts, 22);
  assert.equal(svc.stats.outPkts, 22);
  assert.deepEqual(svc.realServers.map((d) => [d.inactiveConns, d.activeConns]), [[1, 0], [1, 0]], 'UDP flows count as inactive, as in IPVS');
  const conns = engine.snapshot({ connections: true }).connections!;
  assert.deepEqual(conns.map((c) => c.state), ['UDP', 'UDP']);
});

test('an idle flow expires after the UDP timeout; the next datagram starts a new flow', async () => {
  const c = await client();
  const first = (await c.ask('a')).split(':')[0];
  await until(3000, 'flows expired', () => engine.snapshot().services[0]!.realServers.every((d) => d.inactiveConns === 0));
  const conns = engine.snapshot().services[0]!.stats.conns;
  const again = (await c.ask('b')).split(':')[0];
  assert.equal(engine.snapshot().services[0]!.stats.conns, conns + 1);
  assert.ok(first && again);
});
