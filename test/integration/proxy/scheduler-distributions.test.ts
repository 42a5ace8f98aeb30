// Each scheduler's distribution over real loopback connections through the proxy engine,
// checked against its definition: wrr proportional to weights, sh sticky per client,
// lc/wlc balancing long-lived connections, mh moving only about 1/N of clients when one
// of N servers leaves. Clients get distinct source addresses from 127.0.0.0/8.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { ProxyEngine } from '../../../src/dataplane/proxy/engine.js';
import {
  freePort, inParallel, openSession, rs, service, startBackend, whoAnswers, within, type Backend, type Session,
} from './helpers.js';

const engines: ProxyEngine[] = [];
const backends: Backend[] = [];
after(async () => {
  await Promise.all(engines.map((e) => e.close()));
  await Promise.all(backends.map((b) => b.close()));
});

async function setup(names: string[], svc: (port: number, bs: Backend[]) => Parameters<ProxyEngine['apply']>[0]): Promise<{ engine: ProxyEngine; bs: Backend[]; port: number }> {
  const bs = await Promise.all(names.map((n) => startBackend(n)));
  backends.push(...bs);
  const port = await freePort();
  const engine = new ProxyEngine({ tickMs: 50 });
  engines.push(engine);
  await engine.apply(svc(port, bs));
  return { engine, bs, port };
}

/** Client i's source address: 127.1.x.y, distinct for i < 65536. */
const clientAddr = (i: number): string => `127.1.${(i >> 8) & 255}.${i & 255 || 1}`;

test('wrr: 1,200 connections split exactly 3:2:1 (whole cycles)', async () => {
  const { port } = await setup(['a', 'b', 'c'], (p, bs) => ({
    services: [service(p, [rs(bs[0]!, 3), rs(bs[1]!, 2), rs(bs[2]!, 1)], { scheduler: 'wrr' })],
  }));
  const counts = new Map<string, number>();
  await within(20_000, 'wrr load', inParallel(1200, 16, async () => {
    const who = await whoAnswers(port);
    counts.set(who, (counts.get(who) ?? 0) + 1);
  }));
  assert.deepEqual(Object.fromEntries([...counts].sort()), { a: 600, b: 400, c: 200 });
});

test('sh: every client lands on the same server each time, and clients spread', async () => {
  const { port } = await setup(['a', 'b', 'c'], (p, bs) => ({
    services: [service(p, bs.map((b) => rs(b)), { scheduler: 'sh' })],
  }));
  const firstChoice = new Map<number, string>();
  const perServer = new Map<string, number>();
  await within(30_000, 'sh load', inParallel(1200, 16, async (i) => {
    const client = i % 300; // 300 clients, 4 connections each
    const who = await whoAnswers(port, '127.0.0.1', clientAddr(client + 1));
    const prev = firstChoice.get(client);
    if (prev === undefined) firstChoice.set(client, who);
    else assert.equal(who, prev, `client ${clientAddr(client + 1)} moved from ${prev} to ${who}`);
    perServer.set(who, (perServer.get(who) ?? 0) + 1);
  }));
  assert.equal(firstChoice.size, 300);
  for (const [who, n] of perServer) assert.ok(n > 1200 / 3 * 0.5 && n < 1200 / 3 * 1.5, `${who} got ${n} of 1200`);
});

test('lc and wlc: long-lived connections end up balanced by (weighted) active count', async () => {
  for (const [algo, weights, expect] of [['lc', [1, 1, 1], [20, 20, 20]], ['wlc', [1, 2, 3], [10, 20, 30]]] as const) {
    const { port, engine } = await setup(['a', 'b', 'c'], (p, bs) => ({
      services: [service(p, bs.map((b, i) => rs(b, weights[i])), { scheduler: algo })],
    }));
    const sessions: Session[] = [];
    try {
      for (let i = 0; i < 60; i++) sessions.push(await openSession(port)); // sequential: each sees the others
      const active = engine.snapshot().services[0]!.realServers.map((r) => r.activeConns);
      assert.deepEqual(active, [...expect], `${algo} active connections`);
    } finally {
      for (const s of sessions) s.socket.destroy();
    }
  }
});

test('mh: removing one of 5 servers moves about 1/5 of the clients: its own, and (Maglev) very few others', async () => {
  const { port, engine, bs } = await setup(['a', 'b', 'c', 'd', 'e'], (p, b) => ({
    services: [service(p, b.map((x) => rs(x)), { scheduler: 'mh' })],
  }));
  const N = 1000;
  const before = new Map<number, string>();
  await within(30_000, 'mh before', inParallel(N, 16, async (i) => { before.set(i, await whoAnswers(port, '127.0.0.1', clientAddr(i + 1))); }));
  await engine.apply({ services: [service(port, bs.slice(0, 4).map((x) => rs(x)), { scheduler: 'mh' })] });
  let moved = 0;
  let hadE = 0;
  await within(30_000, 'mh after', inParallel(N, 16, async (i) => {
    const now = await whoAnswers(port, '127.0.0.1', clientAddr(i + 1));
    const was = before.get(i);
    if (was === 'e') hadE++;
    else if (now !== was) moved++;
  }));
  // Maglev's table rebuild is minimally, not perfectly, disruptive: a handful of entries
  // of the remaining servers shift too (IPVS's mh behaves the same).
  assert.ok(moved <= N * 0.03, `${moved} clients of the remaining servers moved`);
  assert.ok(hadE > N / 5 * 0.5 && hadE < N / 5 * 1.5, `the removed server had ~1/5 of the clients (${hadE})`);
  const share = (hadE + moved) / N;
  assert.ok(share < 0.3, `${(share * 100).toFixed(1)} % of clients moved`);
  console.log(`mh: ${(share * 100).toFixed(1)} % of ${N} clients moved when 1 of 5 servers left (${hadE} were on it)`);
});
