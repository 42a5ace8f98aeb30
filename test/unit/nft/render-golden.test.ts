// The rendered nftables JSON for representative services, against golden files under
// test/fixtures/nft/ (HALB_UPDATE_GOLDEN=1 rewrites them). The same JSON was applied to a
// real kernel by the netns tests; these pin it down so any change is reviewed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planNft } from '../../../src/dataplane/nft/plan.js';
import { renderTables } from '../../../src/dataplane/nft/render.js';
import { buildTransaction } from '../../../src/dataplane/nft/transaction.js';
import { golden, goldenFiles, ROUTES, rs, state, svc, UPDATE } from './fixture.js';

const CASES = {
  'nat-rr-persistence': state(svc({ persistence: { timeoutMs: 50_000, granularity: 24 } })),
  'nat-wrr-sh-mh': state(
    svc({ scheduler: 'wrr', realServers: [rs('192.0.2.11', { weight: 3 }), rs('192.0.2.12', { weight: 1 }), rs('192.0.2.13', { weight: 2 })] }),
    svc({ port: 443, scheduler: 'sh', schedulerFlags: { port: true, fallback: true } }),
    svc({ port: 8080, scheduler: 'mh', realServers: [rs('192.0.2.11', { port: 8080 }), rs('192.0.2.12', { port: 8081, weight: 0 })] }),
  ),
  'dr-seed': state(svc({ address: '192.0.2.50', forwarding: 'DR', persistence: { timeoutMs: 60_000 } })),
  'dr-ipv6-udp-wlc': state(svc({
    protocol: 'UDP', address: '2001:db8::50', port: 53, scheduler: 'wlc', forwarding: 'DR',
    realServers: [rs('2001:db8::11', { port: 53 }), rs('2001:db8::12', { port: 53, weight: 2 })],
  })),
  'nat-two-ports-one-server': state(svc({ port: 80 }), svc({ port: 81 })),
};

test('first transaction per case matches its golden file', () => {
  for (const [name, desired] of Object.entries(CASES)) {
    const plan = planNft(undefined, desired, { now: 0, routes: ROUTES });
    assert.deepEqual(plan.failures, [], name);
    golden(name, { nftables: buildTransaction(undefined, renderTables(plan)) });
  }
});

test('an update transaction (a server fails, a service goes) matches its golden file', () => {
  const before = state(svc({ persistence: { timeoutMs: 50_000 } }), svc({ address: '192.0.2.50', forwarding: 'DR' }));
  const after = state(svc({ persistence: { timeoutMs: 50_000 }, realServers: [rs('192.0.2.11', { healthy: false }), rs('192.0.2.12')] }));
  const p1 = planNft(undefined, before, { now: 0, routes: ROUTES });
  const p2 = planNft(p1.state, after, { now: 1000, routes: ROUTES });
  golden('update-server-fails-service-removed', { nftables: buildTransaction(renderTables(p1), renderTables(p2)) });
});

test('every golden file is produced by a case (no stale fixtures)', () => {
  if (UPDATE) return;
  const expected = [...Object.keys(CASES), 'update-server-fails-service-removed'].sort();
  const files = goldenFiles();
  assert.ok(files.length > 0, 'the golden glob matched nothing');
  assert.deepEqual(files, expected);
});
