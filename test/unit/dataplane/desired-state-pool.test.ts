import { test } from 'node:test';
import assert from 'node:assert/strict';
import { poolOf, type RealServerSpec, type VirtualServiceSpec } from '../../../src/dataplane/model.js';

const rs = (n: number, extra: Partial<RealServerSpec> = {}): RealServerSpec =>
  ({ address: `198.51.100.${n}`, port: 80, weight: n, healthy: true, ...extra });
const vs = (extra: Partial<VirtualServiceSpec>): VirtualServiceSpec =>
  ({ protocol: 'TCP', address: '192.0.2.1', port: 80, scheduler: 'rr', quorumUp: true, realServers: [rs(1), rs(2), rs(3)], ...extra });
const view = (s: VirtualServiceSpec): string[] => poolOf(s).map((p) => `${p.key}/${p.weight}${p.sorry ? '/sorry' : ''}`);

test('healthy servers in configuration order with their weights', () => {
  assert.deepEqual(view(vs({})), ['198.51.100.1:80/1', '198.51.100.2:80/2', '198.51.100.3:80/3']);
});

test('a failed server leaves the pool, or stays with weight 0 under inhibit_on_failure', () => {
  const s = vs({ realServers: [rs(1), rs(2, { healthy: false }), rs(3, { healthy: false, inhibitOnFailure: true })] });
  assert.deepEqual(view(s), ['198.51.100.1:80/1', '198.51.100.3:80/0']);
});

test('quorum lost with a sorry server: the sorry server alone, at weight 1 (inhibited servers at 0)', () => {
  const sorryServer = { address: '203.0.113.1', port: 8080 };
  const s = vs({ quorumUp: false, sorryServer, realServers: [rs(1), rs(2, { inhibitOnFailure: true })] });
  assert.deepEqual(view(s), ['198.51.100.2:80/0', '203.0.113.1:8080/1/sorry']);
});

test('quorum lost without a sorry server leaves the pool as it is, as keepalived does', () => {
  assert.deepEqual(view(vs({ quorumUp: false })), view(vs({})));
});

test('sorry_server_inhibit keeps the sorry server listed at weight 0 while quorum is up', () => {
  assert.deepEqual(view(vs({ sorryServer: { address: '203.0.113.1', port: 8080, inhibit: true } })).at(-1), '203.0.113.1:8080/0/sorry');
  assert.equal(view(vs({ sorryServer: { address: '203.0.113.1', port: 8080 } })).length, 3);
});

test('a sorry server that is also a real server is one destination', () => {
  const s = vs({ quorumUp: false, sorryServer: { address: '198.51.100.1', port: 80 }, realServers: [rs(1, { inhibitOnFailure: true })] });
  assert.deepEqual(view(s), ['198.51.100.1:80/1/sorry']);
});
