// Health checking through the proxy engine, in process so the timing is exact: a killed
// real server leaves the pool within delay_loop + connect_timeout (no client request
// fails meanwhile: the proxy retries a refused connect on another server), comes back
// when it recovers, and with passive ejection leaves at its first refused connection.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import { silentLogger } from '../../../src/core/log.js';
import { Daemon } from '../../../src/daemon/daemon.js';
import { createProxyDataplane } from '../../../src/dataplane/proxy/engine.js';
import type { Dataplane } from '../../../src/dataplane/dataplane.js';
import { freePort, httpGet, startBackend, type Backend } from '../../helpers/daemon-process.js';

const dir = mkdtempSync(join(tmpdir(), 'halb-health-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function conf(vport: number, backends: readonly Backend[], delayLoop: number): string {
  return [
    `virtual_server 127.0.0.1 ${vport} {`, `    delay_loop ${delayLoop}`, '    lb_algo rr', '    lb_kind NAT', '    protocol TCP',
    ...backends.flatMap((b) => [
      `    real_server 127.0.0.1 ${b.port} {`, '        weight 1',
      '        TCP_CHECK {', '            connect_timeout 1', '            retry 0', '            warmup 0', '        }', '    }',
    ]),
    '}', '',
  ].join('\n');
}

function inPool(dp: Dataplane, port: number): boolean {
  return dp.snapshot().services.some((s) => s.realServers.some((r) => r.port === port && !r.draining && r.weight > 0));
}

async function killBackend(b: Backend, sockets: Set<Socket>): Promise<void> {
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => b.server.close(() => resolve()));
}

function track(b: Backend): Set<Socket> {
  const set = new Set<Socket>();
  b.server.on('connection', (s: Socket) => { set.add(s); s.on('close', () => set.delete(s)); });
  return set;
}

async function until(cond: () => boolean, ms: number, step = 5): Promise<number> {
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    if (cond()) return performance.now() - t0;
    await new Promise((r) => setTimeout(r, step));
  }
  throw new Error(`condition not met within ${ms} ms`);
}

test('a killed real server leaves within delay_loop + connect_timeout and returns when it recovers', async () => {
  const a = await startBackend('A');
  let b = await startBackend('B');
  const bSockets = track(b);
  const vport = await freePort();
  const file = join(dir, 'active.conf');
  writeFileSync(file, conf(vport, [a, b], 1));
  const dp = createProxyDataplane();
  const d = await Daemon.start({ configFile: file, configId: 'test', controlSocket: join(dir, 'a.sock'), log: silentLogger, dataplane: dp, ejectAfter: 0 });
  try {
    const first = await Promise.all(Array.from({ length: 4 }, () => httpGet('127.0.0.1', vport)));
    assert.deepEqual(new Set(first), new Set(['A', 'B']));
    const bPort = b.port;
    await killBackend(b, bSockets);
    const t0 = performance.now();
    // Requests during the detection window all succeed: a refused connect is retried on A.
    const during: string[] = [];
    let removedAfter = -1;
    while (performance.now() - t0 < 4000) {
      during.push(await httpGet('127.0.0.1', vport));
      if (!inPool(dp, bPort)) { removedAfter = performance.now() - t0; break; }
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(removedAfter >= 0, 'B left the pool');
    // delay_loop 1 s + connect_timeout 1 s (+ scheduling slack): the checker's window.
    assert.ok(removedAfter <= 2000 + 500, `B removed after ${removedAfter.toFixed(0)} ms`);
    assert.ok(during.every((x) => x === 'A'), 'no request failed or reached the dead server');
    console.log(`checker removed the killed server after ${removedAfter.toFixed(0)} ms (delay_loop 1 s, connect_timeout 1 s)`);

    b = { ...(await startBackendOn(bPort, 'B')) };
    const back = await until(() => inPool(dp, bPort), 3000);
    console.log(`recovered server back in the pool after ${back.toFixed(0)} ms`);
    const later = await Promise.all(Array.from({ length: 4 }, () => httpGet('127.0.0.1', vport)));
    assert.ok(later.includes('B'), 'B serves again');
  } finally {
    await d.stop();
    a.server.close();
    b.server.close();
  }
});

test('passive ejection: the first refused connection takes the server out before its next check', async () => {
  const a = await startBackend('A');
  const b = await startBackend('B');
  const bSockets = track(b);
  const vport = await freePort();
  const file = join(dir, 'passive.conf');
  writeFileSync(file, conf(vport, [a, b], 60)); // the active checker will not run again during the test
  const dp = createProxyDataplane();
  const d = await Daemon.start({ configFile: file, configId: 'test', controlSocket: join(dir, 'p.sock'), log: silentLogger, dataplane: dp, ejectAfter: 1 });
  let refusedAt = -1;
  const off = dp.onBackendEvent((ev) => { if (ev.kind === 'connect-refused' && refusedAt < 0) refusedAt = performance.now(); });
  try {
    await Promise.all(Array.from({ length: 4 }, () => httpGet('127.0.0.1', vport)));
    await killBackend(b, bSockets);
    const answers: string[] = [];
    for (let i = 0; i < 4; i++) answers.push(await httpGet('127.0.0.1', vport));
    assert.ok(refusedAt > 0, 'the proxy saw B refuse');
    const gone = await until(() => !inPool(dp, b.port), 1000, 1);
    const ms = performance.now() - refusedAt;
    console.log(`passive ejection: out of the pool ${ms.toFixed(1)} ms after the first refused connection (polled ${gone.toFixed(1)} ms after the requests)`);
    assert.ok(answers.every((x) => x === 'A'));
    const more = await Promise.all(Array.from({ length: 6 }, () => httpGet('127.0.0.1', vport)));
    assert.ok(more.every((x) => x === 'A'), 'no new connection is sent to the ejected server');
  } finally {
    off();
    await d.stop();
    a.server.close();
  }
});

async function startBackendOn(port: number, name: string): Promise<Backend> {
  const { createServer } = await import('node:http');
  const b: Backend = { name, port, server: createServer(), hits: 0 };
  b.server.on('request', (_q, res) => { b.hits++; res.end(name); });
  await new Promise<void>((resolve) => b.server.listen(port, '127.0.0.1', () => resolve()));
  return b;
}
