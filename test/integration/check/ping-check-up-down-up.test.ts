import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { FAST, oneServerConfig, startChecking } from './harness.js';
import { requireRoot } from '../../helpers/privileges.js';
import { PingChecker } from '../../../src/check/ping.js';

// A loopback address of its own, so the drop rule touches nothing else on the machine.
const TARGET = '127.77.0.1';
const TABLE = `halb_ping_test_${process.pid}`;

function nft(args: string[]): void {
  const r = spawnSync('nft', args, { encoding: 'utf8' });
  assert.equal(r.status, 0, `nft ${args.join(' ')}: ${r.stderr}`);
}

test('PING_CHECK: echo on loopback is up; dropped echo requests (nftables) are down; up again', async (t) => {
  if (!requireRoot(t, 'PING_CHECK down test (nftables drop rule)')) return;
  const h = startChecking(oneServerConfig({ rsAddr: TARGET, rsPort: 0, checkers: `    PING_CHECK {\n      connect_timeout 0.3\n      ${FAST}\n    }` }));
  let tableMade = false;
  try {
    await h.waitFor(true);
    nft(['add', 'table', 'inet', TABLE]);
    tableMade = true;
    nft(['add', 'chain', 'inet', TABLE, 'out', '{ type filter hook output priority 0 ; }']);
    nft(['add', 'rule', 'inet', TABLE, 'out', 'ip', 'daddr', TARGET, 'icmp', 'type', 'echo-request', 'drop']);
    await h.waitFor(false);
    const last = h.hs.snapshot().realServers[0]?.checkers[0]?.last;
    assert.equal(last?.ok === false && last.reason, 'timeout');
    nft(['delete', 'table', 'inet', TABLE]);
    tableMade = false;
    await h.waitFor(true);
  } finally {
    if (tableMade) spawnSync('nft', ['delete', 'table', 'inet', TABLE]);
    await h.stop();
  }
});

test('PING_CHECK on ::1 and a missing ping binary is a clear failure', async () => {
  const base = { kind: 'PING_CHECK' as const, pos: { file: 'x', line: 1 }, alpha: false, retry: 0, delayLoopMs: 1000, delayBeforeRetryMs: 1000, warmupMs: 0, logAllFailures: false };
  const v6 = await new PingChecker({ ...base, connect: { addr: '::1', family: 6, port: 0, timeoutMs: 1000 } }).run(new AbortController().signal);
  assert.equal(v6.ok, true, JSON.stringify(v6));
  const { SpawnPing } = await import('../../../src/check/ping.js');
  const none = await new PingChecker({ ...base, connect: { addr: '127.0.0.1', family: 4, port: 0, timeoutMs: 500 } }, new SpawnPing('/nonexistent/ping')).run(new AbortController().signal);
  assert.equal(none.ok, false);
  assert.match(!none.ok ? none.detail : '', /not found: install iputils-ping/);
});
