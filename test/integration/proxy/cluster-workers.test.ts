import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { ProxyCluster } from '../../../src/dataplane/proxy/cluster.js';
import { freePort, inParallel, rs, service, startBackend, startUdpBackend, until, whoAnswers, within, type Backend, type UdpBackend } from './helpers.js';

let cluster: ProxyCluster;
let backends: Backend[] = [];
let udp: UdpBackend;
let vShared = 0;
let vPersist = 0;
let vUdp = 0;

before(async () => {
  backends = await Promise.all(['a', 'b'].map((n) => startBackend(n)));
  udp = await startUdpBackend('u');
  [vShared, vPersist, vUdp] = [await freePort(), await freePort(), await freePort('127.0.0.1', 'udp')];
  cluster = new ProxyCluster({ workers: 1, tickMs: 50, reportMs: 100 });
  const r = await cluster.apply({
    services: [
      service(vShared, backends.map((b) => rs(b))),
      service(vPersist, backends.map((b) => rs(b)), { persistence: { timeoutMs: 60_000 } }),
      service(vUdp, [rs(udp)], { protocol: 'UDP' }),
    ],
  });
  assert.deepEqual(r.failed, []);
});

after(async () => {
  const pids = cluster.processConns().slice(1).map((p) => p.pid);
  await cluster.close();
  // The worker process is gone after close().
  for (const pid of pids) assert.throws(() => process.kill(pid, 0), /ESRCH/);
  await Promise.all([...backends.map((b) => b.close()), udp.close()]);
});

test('two processes accept on one shared socket; counters add up across them', async () => {
  const N = 600;
  const seen = new Map<string, number>();
  await within(20_000, 'load', inParallel(N, 32, async () => {
    const who = await whoAnswers(vShared);
    seen.set(who, (seen.get(who) ?? 0) + 1);
  }));
  await cluster.refresh();
  const snap = cluster.snapshot();
  const svc = snap.services.find((s) => s.port === vShared)!;
  assert.equal(svc.stats.conns, N);
  assert.equal(svc.realServers.reduce((n, d) => n + d.stats.conns, 0), N);
  assert.equal((seen.get('a') ?? 0) + (seen.get('b') ?? 0), N);
  // The processes share one rr position (shared-scheduling.test.ts checks exactness).
  assert.equal(seen.get('a'), seen.get('b'), JSON.stringify([...seen]));
  const procs = cluster.processConns();
  assert.equal(procs.length, 2);
  assert.ok(procs.every((p) => p.conns > 0), `both processes took connections: ${JSON.stringify(procs)}`);
});

test('persistent services keep their semantics across processes; UDP is served by the primary', async () => {
  const first = await whoAnswers(vPersist);
  for (let i = 0; i < 30; i++) assert.equal(await whoAnswers(vPersist), first);
  const c = dgram.createSocket('udp4');
  try {
    const answer = await within(2000, 'udp', new Promise<string>((resolve) => {
      c.once('message', (m) => resolve(m.toString()));
      c.send('hi', vUdp, '127.0.0.1');
    }));
    assert.equal(answer, 'u:hi');
  } finally {
    c.close();
  }
});

test('removing a shared service and adding another on the same port in the next apply works', async () => {
  const a = backends[0]!;
  await cluster.apply({ services: [service(vPersist, [rs(a)], { persistence: { timeoutMs: 60_000 } })] });
  await assert.rejects(whoAnswers(vShared));
  const r = await cluster.apply({ services: [service(vShared, [rs(a)]), service(vPersist, [rs(a)], { persistence: { timeoutMs: 60_000 } })] });
  assert.deepEqual(r.failed, []);
  for (let i = 0; i < 20; i++) assert.equal(await whoAnswers(vShared), 'a');
});

test('backend events reach the subscriber whichever process saw them', async () => {
  const refused = await freePort();
  const vport = await freePort();
  const a = backends[0]!;
  await cluster.apply({ services: [service(vport, [rs({ port: refused }), rs(a)])] });
  const events: string[] = [];
  const off = cluster.onBackendEvent((ev) => { if (ev.kind === 'connect-refused') events.push(ev.realServer); });
  // Workers learn about the subscription over IPC; give the message time to arrive.
  await cluster.refresh();
  try {
    // One at a time, so that in each process rr meets the refused port on every client connection.
    await within(10_000, 'load', inParallel(60, 1, async () => { assert.equal(await whoAnswers(vport), 'a'); }));
    await until(3000, `60 events (have ${events.length})`, () => events.length >= 60).catch((e: Error) => { throw new Error(`${e.message}: ${events.length}`); });
    assert.equal(events.length, 60);
    assert.ok(events.every((k) => k === `127.0.0.1:${refused}`));
  } finally {
    off();
  }
});
