import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DataplaneSnapshot, RealServerSnapshot, StatsSnapshot } from '../../../src/dataplane/dataplane.js';
import { addCounters, countersOf, mergeSnapshots, statsKey, TOTALS_KEY } from '../../../src/dataplane/proxy/snapshot-merge.js';
import type { Counters } from '../../../src/dataplane/stats.js';

const stats = (conns: number, inBytes = 0): StatsSnapshot =>
  ({ conns, inPkts: conns, outPkts: conns, inBytes, outBytes: 0, cps: 9, inPps: 9, outPps: 9, inBps: 9, outBps: 9 });
const dest = (key: string, active: number, conns: number, extra: Partial<RealServerSnapshot> = {}): RealServerSnapshot => ({
  key, address: '198.51.100.1', port: 80, weight: 1, forward: 'Masq', activeConns: active, inactiveConns: 1, persistConns: 0,
  overloaded: false, draining: false, sorry: false, stats: stats(conns), ...extra,
});
const snap = (dests: RealServerSnapshot[], conns: number): DataplaneSnapshot => ({
  engine: 'proxy', takenAt: 0, totals: stats(conns),
  services: [{
    key: 'TCP:192.0.2.1:80', protocol: 'TCP', address: '192.0.2.1', port: 80, scheduler: 'rr', schedulerFlags: {},
    listener: 'listening', quorumUp: true, sorryActive: false, stats: stats(conns), realServers: dests,
  }],
});

test('connection counts and counters add up across processes; config comes from the primary', () => {
  const primary = snap([dest('a', 2, 10), dest('b', 1, 5)], 15);
  const worker = snap([dest('a', 3, 7, { weight: 99 }), dest('b', 0, 4), dest('gone', 1, 1, { draining: true })], 12);
  const sums = new Map<string, Counters>();
  addCounters(sums, countersOf(primary));
  addCounters(sums, countersOf(worker));
  const m = mergeSnapshots(primary, [worker], sums, (k) => ({ cps: k === TOTALS_KEY ? 42 : 1, inPps: 0, outPps: 0, inBps: 0, outBps: 0 }));
  const svc = m.services[0]!;
  assert.equal(svc.stats.conns, 27);
  assert.deepEqual(svc.realServers.map((d) => [d.key, d.weight, d.activeConns, d.inactiveConns, d.stats.conns, d.draining]),
    [['a', 1, 5, 2, 17, false], ['b', 1, 1, 2, 9, false], ['gone', 1, 1, 1, 1, true]]);
  assert.equal(m.totals.conns, 27);
  assert.equal(m.totals.cps, 42, 'rates come from the estimator over the sums, not from the parts');
  assert.equal(svc.stats.cps, 1);
});

test('counters of a process that is gone stay in the sums', () => {
  const primary = snap([dest('a', 0, 10)], 10);
  const dead = new Map<string, Counters>();
  addCounters(dead, countersOf(snap([dest('a', 0, 6)], 6)));
  const sums = new Map<string, Counters>();
  addCounters(sums, countersOf(primary));
  addCounters(sums, dead);
  const m = mergeSnapshots(primary, [], sums);
  assert.equal(m.services[0]!.realServers[0]!.stats.conns, 16);
  assert.equal(sums.get(statsKey('TCP:192.0.2.1:80', 'a'))!.conns, 16);
  assert.equal(m.totals.conns, 16);
});
