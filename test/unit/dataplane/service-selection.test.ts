import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../src/core/clock.js';
import type { DesiredState, RealServerSpec, VirtualServiceSpec } from '../../../src/dataplane/model.js';
import { ServiceRuntime, type ClientSource } from '../../../src/dataplane/proxy/service.js';
import type { DestView, SchedRequest, Scheduler, SchedulerName } from '../../../src/dataplane/sched/types.js';
import { EstimatorSet } from '../../../src/dataplane/stats.js';

/** A minimal round robin through the scheduler interface that records what it was given. */
class TestRr implements Scheduler {
  readonly name: SchedulerName = 'rr';
  i = -1;
  pools: string[][] = [];
  reqs: SchedRequest[] = [];
  pick(dests: readonly DestView[], req: SchedRequest): DestView | undefined {
    this.reqs.push(req);
    for (let k = 1; k <= dests.length; k++) {
      const j = (this.i + k) % dests.length;
      const d = dests[j]!;
      if (d.weight > 0 && !d.overloaded) { this.i = j; return d; }
    }
    return undefined;
  }
  poolChanged(dests: readonly DestView[]): void {
    this.pools.push(dests.map((d) => `${d.id}/${d.weight}`));
  }
}

const rs = (n: number, extra: Partial<RealServerSpec> = {}): RealServerSpec =>
  ({ address: `198.51.100.${n}`, port: 80, weight: 1, healthy: true, ...extra });
const spec = (extra: Partial<VirtualServiceSpec> = {}): VirtualServiceSpec =>
  ({ protocol: 'TCP', address: '192.0.2.1', port: 80, scheduler: 'rr', quorumUp: true, realServers: [rs(1), rs(2), rs(3)], ...extra });

function make(s: VirtualServiceSpec) {
  const made: TestRr[] = [];
  const state: DesiredState = { services: [s] };
  const svc = new ServiceRuntime(s, state, {
    schedulers: () => { const r = new TestRr(); made.push(r); return r; },
    defaultConnectTimeoutMs: 1000,
    expireQuiescentTemplate: false,
    random: () => 0.5,
    estimators: new EstimatorSet(new FakeClock()),
  });
  return { svc, made };
}

const client = (addr: string, port = 40000): ClientSource => ({ remoteAddress: addr, remotePort: port });

test('select binds the connection to the chosen server: inactive until established, counted', () => {
  const { svc } = make(spec());
  const sel = svc.select(client('192.0.2.50'), 0)!;
  assert.equal(sel.dest.id, '198.51.100.1:80');
  assert.deepEqual([sel.dest.inactiveConns, sel.dest.activeConns, sel.dest.counters.conns], [1, 0, 1]);
  svc.release(sel.dest, sel.template, false);
  assert.equal(sel.dest.inactiveConns, 0);
});

test('schedulers that do not look at the client never make the engine resolve its address', () => {
  const { svc, made } = make(spec());
  let reads = 0;
  const src = { get remoteAddress() { reads++; return '192.0.2.50'; }, remotePort: 1 };
  svc.select(src, 0);
  assert.equal(reads, 0);
  const req = made[0]!.reqs[0]!;
  assert.equal(req.clientAddr, '192.0.2.50');
  assert.deepEqual([req.destAddr, req.destPort, req.random], ['192.0.2.1', 80, 0.5]);
});

test('persistence keeps a client (and its /24 with granularity 24) on one server', () => {
  const { svc } = make(spec({ persistence: { timeoutMs: 1000, granularity: 24 } }));
  const first = svc.select(client('192.0.2.50'), 0)!;
  const again = svc.select(client('192.0.2.99', 1234), 10)!;
  assert.equal(again.dest, first.dest);
  assert.equal(again.template, first.template);
  assert.equal(first.dest.persistConns, 1);
  const other = svc.select(client('192.0.3.50'), 20)!;
  assert.notEqual(other.dest, first.dest);
});

test('a retry excludes servers already tried and ignores persistence', () => {
  const { svc } = make(spec({ persistence: { timeoutMs: 1000 } }));
  const first = svc.select(client('192.0.2.50'), 0)!;
  const retry = svc.select(client('192.0.2.50'), 0, [first.dest])!;
  assert.notEqual(retry.dest, first.dest);
  assert.equal(retry.template, null);
  assert.equal(svc.select(client('192.0.2.50'), 0, svc.pool), undefined);
});

test('a removed server drains: kept while its connection lives, forgotten after', () => {
  const { svc, made } = make(spec());
  const sel = svc.select(client('192.0.2.50'), 0)!;
  const gone = sel.dest;
  const next = spec({ realServers: [rs(2), rs(3)] });
  svc.update(next, { services: [next] });
  assert.equal(gone.inPool, false);
  assert.equal(svc.dests.get(gone.id), gone);
  assert.deepEqual(made[0]!.pools.at(-1), ['198.51.100.2:80/1', '198.51.100.3:80/1']);
  for (let i = 0; i < 6; i++) assert.notEqual(svc.select(client('192.0.2.50'), 0)!.dest, gone);
  svc.release(gone, sel.template, false);
  assert.equal(svc.dests.has(gone.id), false);
});

test('weight 0 stays in the pool for the scheduler to skip; a new scheduler name builds a new scheduler', () => {
  const { svc, made } = make(spec());
  const quiesced = spec({ realServers: [rs(1, { weight: 0 }), rs(2), rs(3)] });
  svc.update(quiesced, { services: [quiesced] });
  assert.deepEqual(made[0]!.pools.at(-1), ['198.51.100.1:80/0', '198.51.100.2:80/1', '198.51.100.3:80/1']);
  for (let i = 0; i < 4; i++) assert.notEqual(svc.select(client('192.0.2.50'), 0)!.dest.id, '198.51.100.1:80');
  const wlc = { ...quiesced, scheduler: 'wlc' as const };
  svc.update(wlc, { services: [wlc] });
  assert.equal(made.length, 2);
  assert.equal(svc.scheduler, made[1]);
});

test('quorum lost switches the pool to the sorry server, and back', () => {
  const { svc } = make(spec({ quorumUp: false, sorryServer: { address: '203.0.113.1', port: 8080 } }));
  assert.equal(svc.sorryActive, true);
  assert.deepEqual(svc.pool.map((d) => d.id), ['203.0.113.1:8080']);
  const up = spec({ quorumUp: true, sorryServer: { address: '203.0.113.1', port: 8080 } });
  svc.update(up, { services: [up] });
  assert.deepEqual(svc.pool.map((d) => d.id), ['198.51.100.1:80', '198.51.100.2:80', '198.51.100.3:80']);
  assert.equal(svc.sorryActive, false);
});
