// transaction.ts: updates touch only what changed. Flow sets, templates and counters are
// never deleted while in use (established DR flows and statistics survive), unchanged
// chains are not rewritten, and anything deleted is first unreferenced in the same batch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planNft } from '../../../src/dataplane/nft/plan.js';
import { renderTables } from '../../../src/dataplane/nft/render.js';
import { buildTransaction, referencesOf, teardown } from '../../../src/dataplane/nft/transaction.js';
import type { Json } from '../../../src/dataplane/nft/nft-json.js';
import { ROUTES, rs, state, svc } from './fixture.js';

type Cmd = Record<string, Record<string, { name?: string; chain?: string }>>;
const ops = (cmds: readonly Json[]): string[] => (cmds as Cmd[]).map((c) => {
  const op = Object.keys(c)[0]!;
  const kind = Object.keys(c[op]!)[0]!;
  const o = c[op]![kind]!;
  return `${op} ${kind} ${o.name ?? o.chain ?? ''}`.trim();
});

const dr = (over = {}) => svc({ address: '192.0.2.50', forwarding: 'DR', persistence: { timeoutMs: 60_000 }, ...over });

test('the first transaction clears leftovers of both families, then builds', () => {
  const cmds = ops(buildTransaction(undefined, renderTables(planNft(undefined, state(svc()), { now: 0 }))));
  assert.deepEqual(cmds.slice(0, 5), ['add table halb', 'delete table halb', 'add table halb', 'delete table halb', 'add table halb']);
  assert.ok(!cmds.some((c) => c.startsWith('flush')));
});

test('applying the same state again changes nothing', () => {
  const desired = state(svc({ persistence: { timeoutMs: 60_000 } }), dr());
  const p1 = planNft(undefined, desired, { now: 0, routes: ROUTES });
  const p2 = planNft(p1.state, desired, { now: 5, routes: ROUTES });
  assert.deepEqual(buildTransaction(renderTables(p1), renderTables(p2)), []);
});

test('a weight change rewrites only the scheduling chain; flow sets, templates and counters stay', () => {
  const p1 = planNft(undefined, state(dr()), { now: 0, routes: ROUTES });
  const p2 = planNft(p1.state, state(dr({ scheduler: 'wrr', realServers: [rs('192.0.2.11', { weight: 2 }), rs('192.0.2.12')] })), { now: 5, routes: ROUTES });
  assert.deepEqual(ops(buildTransaction(renderTables(p1), renderTables(p2))).filter((c) => !c.startsWith('add rule')), ['flush chain drs_s1']);
});

test('a failed server: its template set goes after the chain using it is flushed; its flow set and counters stay', () => {
  const p1 = planNft(undefined, state(dr()), { now: 0, routes: ROUTES });
  const p2 = planNft(p1.state, state(dr({ realServers: [rs('192.0.2.11', { healthy: false }), rs('192.0.2.12')] })), { now: 5, routes: ROUTES });
  const cmds = ops(buildTransaction(renderTables(p1), renderTables(p2)));
  const at = (c: string): number => cmds.indexOf(c);
  assert.ok(at('flush chain drs_s1') >= 0 && at('flush chain drs_s1') < at('delete set p_s1_r1'), cmds.join('\n'));
  assert.ok(at('flush chain drf_s1_r1') < at('delete set p_s1_r1'), 'the flow chain refreshing the template is flushed first');
  assert.ok(at('delete chain drn_s1_r1') > at('flush chain drn_s1_r1'));
  assert.ok(!cmds.some((c) => /delete (set f_|set c_|counter)/.test(c)), `flows and counters kept: ${cmds.join(', ')}`);
  assert.ok(at('add rule drf_s1_r1') > at('delete set p_s1_r1'), 'the draining server still forwards its flows');
});

test('a set whose definition changes (persistence timeout) is deleted and added again', () => {
  const p1 = planNft(undefined, state(svc({ persistence: { timeoutMs: 60_000 } })), { now: 0 });
  const p2 = planNft(p1.state, state(svc({ persistence: { timeoutMs: 120_000 } })), { now: 5 });
  const cmds = ops(buildTransaction(renderTables(p1), renderTables(p2)));
  for (const s of ['p_s1_r1', 'p_s1_r2']) assert.ok(cmds.indexOf(`delete set ${s}`) < cmds.indexOf(`add set ${s}`), cmds.join('\n'));
  assert.ok(cmds.indexOf('flush chain svc_s1') < cmds.indexOf('delete set p_s1_r1'));
});

test('the last DR service gone: the netdev table is deleted', () => {
  const p1 = planNft(undefined, state(svc(), dr()), { now: 0, routes: ROUTES });
  const p2 = planNft(p1.state, state(svc()), { now: 1, routes: ROUTES });
  assert.ok(p2.services.some((p) => p.draining), 'the DR service drains first');
  const p3 = planNft(p2.state, state(svc()), { now: 900_001, routes: ROUTES });
  assert.deepEqual(ops(buildTransaction(renderTables(p1), renderTables(p3))), ['delete table halb']);
  assert.deepEqual(ops(teardown([{ family: 'inet', name: 'halb' }])), ['add table halb', 'delete table halb']);
});

test('referencesOf finds jump/goto targets, @sets and named counters', () => {
  const refs = referencesOf({
    name: 'x', rules: [{ expr: [{ match: { op: '==', left: 1, right: '@f_s1_r1' } }, { counter: 'in_s1_r1' }, { goto: { target: 'drf_s1_r1' } }] }],
  });
  assert.deepEqual([...refs].sort(), ['chain:drf_s1_r1', 'counter:in_s1_r1', 'set:f_s1_r1']);
});
