import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { ProxyEngine } from '../../../src/dataplane/proxy/engine.js';
import { freePort, openSession, rs, service, startBackend, startUdpBackend, whoAnswers, within, type Backend, type UdpBackend } from './helpers.js';

let engine: ProxyEngine;
let a: Backend;
let b: Backend;
let u: UdpBackend;
let vport = 0;
let uport = 0;

before(async () => {
  [a, b] = await Promise.all([startBackend('a6', '::1'), startBackend('b6', '::1')]);
  u = await startUdpBackend('u6', '::1');
  [vport, uport] = [await freePort('::1'), await freePort('::1', 'udp')];
  engine = new ProxyEngine({ tickMs: 50 });
  const r = await engine.apply({
    services: [
      service(vport, [rs(a, 1, {}, '::1'), rs(b, 1, {}, '::1')], { address: '::1' }),
      service(uport, [rs(u, 1, {}, '::1')], { address: '::1', protocol: 'UDP' }),
    ],
  });
  assert.deepEqual(r.failed, []);
});

after(async () => {
  await engine.close();
  await Promise.all([a.close(), b.close(), u.close()]);
});

test('TCP over IPv6: VIP [::1] to real servers on [::1]', async () => {
  const seen = [];
  for (let i = 0; i < 4; i++) seen.push(await whoAnswers(vport, '::1'));
  assert.deepEqual(seen, ['a6', 'b6', 'a6', 'b6']);
  const s = await openSession(vport, '::1');
  assert.equal(await s.echo('v6 echo'), 'v6 echo');
  s.socket.destroy();
  const svc = engine.snapshot().services.find((x) => x.protocol === 'TCP')!;
  assert.equal(svc.key, `TCP:[::1]:${vport}`);
  assert.deepEqual(svc.realServers.map((d) => d.key), [`[::1]:${a.port}`, `[::1]:${b.port}`]);
});

test('UDP over IPv6', async () => {
  const c = dgram.createSocket('udp6');
  try {
    const answer = await within(2000, 'udp6 answer', new Promise<string>((resolve) => {
      c.once('message', (m) => resolve(m.toString()));
      c.send('ping6', uport, '::1');
    }));
    assert.equal(answer, 'u6:ping6');
  } finally {
    c.close();
  }
});
