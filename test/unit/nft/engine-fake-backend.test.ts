// engine.ts against an in-memory backend on a FakeClock: one transaction per apply, a
// failed transaction leaves the kernel's ruleset (and the engine's idea of it) alone,
// load-driven services are re-rendered from fresh readings, drained servers retire at
// their deadline, counters reach the snapshot, and close() removes the tables.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../src/core/clock.js';
import { PermissionError, SysError } from '../../../src/core/errors.js';
import type { NftBackend } from '../../../src/dataplane/nft/backend.js';
import { NftEngine } from '../../../src/dataplane/nft/engine.js';
import type { Json } from '../../../src/dataplane/nft/nft-json.js';
import type { TableReading } from '../../../src/dataplane/nft/readings.js';
import { parseConntrack } from '../../../src/dataplane/nft/readings.js';
import { ROUTES, rs, state, svc } from './fixture.js';

class FakeBackend implements NftBackend {
  transactions: Json[][] = [];
  failNext: Error | undefined;
  probes: boolean[] = [];
  counterValues = new Map<string, { packets: number; bytes: number }>();
  conntrackText = '';
  forwardingTurnedOn: number[] = [];
  probe(needs: { dr: boolean }): Promise<void> {
    this.probes.push(needs.dr);
    return Promise.resolve();
  }
  transaction(commands: readonly Json[]): Promise<void> {
    if (this.failNext) {
      const e = this.failNext;
      this.failNext = undefined;
      return Promise.reject(e);
    }
    this.transactions.push([...commands]);
    return Promise.resolve();
  }
  counters(): Promise<TableReading> { return Promise.resolve({ counters: new Map(this.counterValues), sets: new Map() }); }
  table(): Promise<TableReading> { return this.counters(); }
  conntrack() { return Promise.resolve(parseConntrack(this.conntrackText)); }
  route(a: string) {
    const r = ROUTES.get(a);
    return r ? Promise.resolve(r) : Promise.reject(new SysError('ip route get', 'unreachable'));
  }
  ensureForwarding(f: 4 | 6): Promise<boolean> {
    this.forwardingTurnedOn.push(f);
    return Promise.resolve(true);
  }
}

const flush = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};

test('apply commits one transaction, reports the diff, and an unchanged apply commits nothing', async () => {
  const b = new FakeBackend();
  const notices: string[] = [];
  const e = new NftEngine({ backend: b, clock: new FakeClock(), statsIntervalMs: 0, onNotice: (m) => notices.push(m) });
  const r1 = await e.apply(state(svc()));
  assert.deepEqual([r1.added, r1.failed], [['TCP:203.0.113.10:80'], []]);
  assert.equal(b.transactions.length, 1);
  assert.deepEqual(b.forwardingTurnedOn, [4]);
  assert.match(notices[0]!, /turned on IPv4 forwarding/);
  const r2 = await e.apply(state(svc()));
  assert.deepEqual(r2.unchanged, ['TCP:203.0.113.10:80']);
  assert.equal(b.transactions.length, 1, 'nothing to commit');
  await e.close();
  assert.deepEqual(b.transactions.at(-1), [
    { add: { table: { family: 'inet', name: 'halb' } } }, { delete: { table: { family: 'inet', name: 'halb' } } },
  ]);
});

test('a failed transaction changes nothing: the services report the error and the next apply diffs from the old ruleset', async () => {
  const b = new FakeBackend();
  const e = new NftEngine({ backend: b, clock: new FakeClock(), statsIntervalMs: 0 });
  await e.apply(state(svc()));
  b.failNext = new SysError('nft', 'nft transaction failed (exit 1): Error: Could not process rule');
  const r = await e.apply(state(svc({ scheduler: 'wrr' })));
  assert.equal(r.failed.length, 1);
  assert.match(r.failed[0]!.error.message, /Could not process rule/);
  await e.apply(state(svc({ scheduler: 'wrr' })));
  const ops = b.transactions.at(-1)!.map((c) => Object.keys(c as object)[0]);
  assert.ok(ops.includes('flush'), 'the retry still rewrites the scheduling chain the kernel never got');
  await e.close();
});

test('the first transaction failing (no privilege) rejects apply with the typed error', async () => {
  const b = new FakeBackend();
  b.failNext = new PermissionError('CAP_NET_ADMIN', 'nftables needs CAP_NET_ADMIN');
  const e = new NftEngine({ backend: b, clock: new FakeClock(), statsIntervalMs: 0 });
  await assert.rejects(e.apply(state(svc())), { name: 'PermissionError', needed: 'CAP_NET_ADMIN' });
  await e.close();
});

test('DR probes the netdev family once; a DR server without a route fails only its service', async () => {
  const b = new FakeBackend();
  const e = new NftEngine({ backend: b, clock: new FakeClock(), statsIntervalMs: 0 });
  const r = await e.apply(state(svc({ address: '192.0.2.50', forwarding: 'DR' }), svc({ address: '192.0.2.51', forwarding: 'DR', realServers: [rs('192.0.2.99')] })));
  assert.deepEqual(b.probes, [true]);
  assert.deepEqual(r.added, ['TCP:192.0.2.50:80']);
  assert.equal(r.failed[0]!.service, 'TCP:192.0.2.51:80');
  await e.apply(state(svc({ address: '192.0.2.50', forwarding: 'DR', scheduler: 'sh' })));
  assert.deepEqual(b.probes, [true]);
  const snap = e.snapshot();
  assert.equal(snap.services[0]!.realServers[0]!.forward, 'Route');
  await e.close();
});

test('wlc is re-rendered from conntrack every load interval; counters reach the snapshot', async () => {
  const b = new FakeBackend();
  const clock = new FakeClock();
  const e = new NftEngine({ backend: b, clock, statsIntervalMs: 0, loadIntervalMs: 1000 });
  await e.apply(state(svc({ scheduler: 'wlc' })));
  assert.equal(b.transactions.length, 1);
  b.conntrackText = Array.from({ length: 5 }, (_, i) =>
    `ipv4 2 tcp 6 431999 ESTABLISHED src=198.51.100.10 dst=203.0.113.10 sport=${4000 + i} dport=80 src=192.0.2.11 dst=198.51.100.10 sport=80 dport=${4000 + i} [ASSURED] use=1`).join('\n');
  b.counterValues.set('conn_s1_r1', { packets: 5, bytes: 300 });
  b.counterValues.set('in_s1_r1', { packets: 50, bytes: 5000 });
  clock.advance(1000);
  await flush();
  assert.equal(b.transactions.length, 2, 'new shares committed');
  const rules = JSON.stringify(b.transactions[1]);
  assert.match(rules, /"goto":\{"target":"new_s1_r2"\}/);
  assert.doesNotMatch(rules, /new_s1_r1"/, 'all new connections to the idle server');
  const rs1 = e.snapshot().services[0]!.realServers[0]!;
  assert.deepEqual([rs1.activeConns, rs1.stats.conns, rs1.stats.inPkts], [5, 5, 50]);
  await e.close();
  clock.advance(5000);
  await flush();
  assert.equal(b.transactions.length, 3, 'no tick after close (only the teardown)');
});

test('a drained server retires at its deadline without another apply', async () => {
  const b = new FakeBackend();
  const clock = new FakeClock();
  const e = new NftEngine({ backend: b, clock, statsIntervalMs: 0 });
  const desired = (healthy: boolean) => ({ ...state(svc({ realServers: [rs('192.0.2.11', { healthy }), rs('192.0.2.12')] })), timeouts: { tcpMs: 10_000 } });
  await e.apply(desired(true));
  await e.apply(desired(false));
  assert.equal(e.snapshot().services[0]!.realServers.filter((r) => r.draining).length, 1);
  clock.advance(10_000);
  await flush();
  assert.equal(e.snapshot().services[0]!.realServers.length, 1);
  assert.match(JSON.stringify(b.transactions.at(-1)), /"delete":\{"chain":\{"family":"inet","table":"halb","name":"st_s1_r1"/);
  await e.close();
});
