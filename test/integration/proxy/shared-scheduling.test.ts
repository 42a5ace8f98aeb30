// One IPVS table across the proxy's processes (issue 16): with three workers besides
// the daemon, every scheduler decides from the state all four processes share, so the
// distributions are IPVS's exact ones whichever process accepts a connection. Real
// sockets on loopback; a worker is killed to show its counts leave with it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ProxyCluster } from '../../../src/dataplane/proxy/cluster.js';
import type { VirtualServiceSpec } from '../../../src/dataplane/model.js';
import {
  freePort, inParallel, openSession, rs, service, startBackend, until, whoAnswers, within, type Backend, type Session,
} from './helpers.js';

let cluster: ProxyCluster;
let backends: Backend[] = [];
const port: Record<string, number> = {};

function services(): VirtualServiceSpec[] {
  const [a, b, c] = backends as [Backend, Backend, Backend];
  return [
    service(port.rr!, [rs(a), rs(b), rs(c)], { scheduler: 'rr' }),
    service(port.wrr!, [rs(a, 3), rs(b, 2), rs(c, 1)], { scheduler: 'wrr' }),
    service(port.lc!, [rs(a), rs(b), rs(c)], { scheduler: 'lc' }),
    service(port.wlc!, [rs(a, 3), rs(b, 2), rs(c, 1)], { scheduler: 'wlc' }),
    service(port.persist!, [rs(a), rs(b), rs(c)], { scheduler: 'rr', persistence: { timeoutMs: 60_000 } }),
    service(port.thresh!, [rs(a, 1, { upperThreshold: 4 }), rs(b)], { scheduler: 'rr' }),
  ];
}

before(async () => {
  backends = await Promise.all(['a', 'b', 'c'].map((n) => startBackend(n)));
  for (const k of ['rr', 'wrr', 'lc', 'wlc', 'persist', 'thresh']) port[k] = await freePort();
  cluster = new ProxyCluster({ workers: 3, tickMs: 50, reportMs: 100 });
  const r = await cluster.apply({ services: services() });
  assert.deepEqual(r.failed, []);
});

after(async () => {
  await cluster.close();
  await Promise.all(backends.map((b) => b.close()));
});

async function tally(p: number, n: number, width: number, from?: (i: number) => string): Promise<Record<string, number>> {
  const seen: Record<string, number> = {};
  await within(30_000, `load on ${p}`, inParallel(n, width, async (i) => {
    const who = await whoAnswers(p, '127.0.0.1', from?.(i));
    seen[who] = (seen[who] ?? 0) + 1;
  }));
  return seen;
}

/** `n` long-lived connections opened one after another (each established before the next). */
async function hold(p: number, n: number): Promise<Session[]> {
  const out: Session[] = [];
  for (let i = 0; i < n; i++) out.push(await within(5000, 'session', openSession(p)));
  return out;
}

function split(sessions: readonly Session[]): Record<string, number> {
  const by: Record<string, number> = {};
  for (const s of sessions) by[s.name] = (by[s.name] ?? 0) + 1;
  return by;
}

async function closeAll(sessions: readonly Session[]): Promise<void> {
  await Promise.all(sessions.map((s) => new Promise<void>((r) => {
    if (s.socket.destroyed) { r(); return; }
    s.socket.once('close', () => r());
    s.socket.destroy();
  })));
}

/** Connections still counted for the service on port `p`, summed over the live processes. */
async function counted(p: number): Promise<number> {
  await cluster.refresh();
  const svc = cluster.snapshot().services.find((s) => s.port === p)!;
  return svc.realServers.reduce((n, d) => n + d.activeConns + d.inactiveConns, 0);
}

test('rr is exact over 300 connections from 8 concurrent clients', async () => {
  assert.deepEqual(await tally(port.rr!, 300, 8), { a: 100, b: 100, c: 100 });
  const procs = cluster.processConns();
  assert.equal(procs.length, 4);
});

test('wrr 3:2:1 is exact over 600 connections', async () => {
  assert.deepEqual(await tally(port.wrr!, 600, 8), { a: 300, b: 200, c: 100 });
});

test('lc holds 60 long-lived connections at 20/20/20, wlc in proportion to weight', async () => {
  const lc = await hold(port.lc!, 60);
  const wlc = await hold(port.wlc!, 60);
  try {
    assert.deepEqual(split(lc), { a: 20, b: 20, c: 20 });
    assert.deepEqual(split(wlc), { a: 30, b: 20, c: 10 });
  } finally {
    await closeAll([...lc, ...wlc]);
  }
});

test('an upper threshold counts every process\'s connections: a takes 4 of 20, then is overloaded for all', async () => {
  const sessions = await hold(port.thresh!, 20);
  try {
    assert.deepEqual(split(sessions), { a: 4, b: 16 });
    await cluster.refresh();
    const svc = cluster.snapshot().services.find((s) => s.port === port.thresh)!;
    assert.equal(svc.realServers.find((d) => d.port === backends[0]!.port)?.overloaded, true);
  } finally {
    await closeAll(sessions);
  }
  // Below 3/4 of the threshold (all closed) the overload lifts: a is chosen again.
  const deadline = Date.now() + 5000;
  while ((await counted(port.thresh!)) !== 0) {
    assert.ok(Date.now() < deadline, 'connections still counted 5 s after closing');
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.deepEqual(split(await hold(port.thresh!, 2).then(async (s) => { await closeAll(s); return s; })), { a: 1, b: 1 });
});

test('a persistent client stays on one real server whichever process accepts it', async () => {
  await cluster.refresh();
  const before = new Map(cluster.processConns().map((p) => [p.pid, p.conns]));
  // 24 clients (distinct source addresses), 10 connections each, 8 at a time.
  const clients = 24;
  const choice = new Map<string, string>();
  await within(30_000, 'persistent load', inParallel(clients * 10, 8, async (i) => {
    const from = `127.3.0.${(i % clients) + 1}`;
    const who = await whoAnswers(port.persist!, '127.0.0.1', from);
    const first = choice.get(from);
    if (first === undefined) choice.set(from, who);
    else assert.equal(who, first, `client ${from} moved from ${first} to ${who}`);
  }));
  // rr placed the 24 clients' templates evenly, whichever process created them.
  const perServer: Record<string, number> = {};
  for (const who of choice.values()) perServer[who] = (perServer[who] ?? 0) + 1;
  assert.deepEqual(perServer, { a: 8, b: 8, c: 8 });
  await cluster.refresh();
  const took = cluster.processConns().filter((p) => p.conns > (before.get(p.pid) ?? 0));
  assert.ok(took.length >= 2, `connections were accepted by several processes: ${JSON.stringify(cluster.processConns())}`);
  // One template per client, listed once.
  const snap = cluster.snapshot({ connections: true });
  const templates = (snap.connections ?? []).filter((c) => c.state === 'NONE' && c.virtual.endsWith(`:${port.persist!}`));
  assert.equal(templates.length, clients);
  const svc = snap.services.find((s) => s.port === port.persist)!;
  assert.equal(svc.realServers.reduce((n, d) => n + d.persistConns, 0), clients);
});

test('a worker killed and replaced leaves no counts behind: lc is exact again', async () => {
  const victim = cluster.processConns()[1]!.pid;
  const sessions = await hold(port.lc!, 60);
  assert.deepEqual(split(sessions), { a: 20, b: 20, c: 20 });
  process.kill(victim, 'SIGKILL');
  // Its clients' connections die with it; close the others.
  await until(5000, 'replacement worker', () => {
    const pids = cluster.processConns().map((p) => p.pid);
    return pids.length === 4 && !pids.includes(victim);
  });
  await closeAll(sessions);
  const deadline = Date.now() + 5000;
  while ((await counted(port.lc!)) !== 0) {
    assert.ok(Date.now() < deadline, 'connections still counted 5 s after closing');
    await new Promise((r) => setTimeout(r, 50));
  }
  // If the dead worker's counts had stayed in the shared state, lc would now avoid the
  // servers it had connections to.
  const again = await hold(port.lc!, 60);
  try {
    assert.deepEqual(split(again), { a: 20, b: 20, c: 20 });
  } finally {
    await closeAll(again);
  }
  assert.deepEqual(await tally(port.rr!, 300, 8), { a: 100, b: 100, c: 100 });
});
