// The daemon end to end, the way an operator drives it: `halb -n -l -f FILE`, traffic
// through the virtual server, `halb ctl list`, SIGHUP and `halb ctl reload`.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, httpGet, startBackend, startDaemon, type Backend } from '../../helpers/daemon-process.js';

const dir = mkdtempSync(join(tmpdir(), 'halb-daemon-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function config(vport: number, backends: readonly Backend[], algo = 'rr'): string {
  return [
    'global_defs {', '   router_id halb_test', '}',
    `virtual_server 127.0.0.1 ${vport} {`, '    delay_loop 5', `    lb_algo ${algo}`, '    lb_kind NAT', '    protocol TCP',
    ...backends.flatMap((b) => [`    real_server 127.0.0.1 ${b.port} {`, '        weight 1', '    }']),
    '}', '',
  ].join('\n');
}

test('serves through the VIP with rr, lists like ipvsadm, reloads by difference, refuses a broken reload', async () => {
  const backends = await Promise.all(['web1', 'web2', 'web3'].map((n) => startBackend(n)));
  const vport = await freePort();
  const conf = join(dir, 'keepalived.conf');
  writeFileSync(conf, config(vport, backends));
  const d = await startDaemon(conf, ['--workers', '0']);
  try {
    const seen: string[] = [];
    for (let i = 0; i < 30; i++) seen.push(await httpGet('127.0.0.1', vport));
    for (const b of backends) assert.equal(seen.filter((s) => s === b.name).length, 10, `rr gives ${b.name} exactly a third`);

    const list = d.ctl('list', '-n');
    assert.equal(list.status, 0, list.stderr);
    assert.match(list.stdout, new RegExp(`^TCP  127\\.0\\.0\\.1:${vport} rr$`, 'm'));
    for (const b of backends) assert.match(list.stdout, new RegExp(`^  -> 127\\.0\\.0\\.1:${b.port} +Masq +1 `, 'm'));
    const stats = d.ctl('list', '-n', '--stats');
    const svcLine = stats.stdout.split('\n').find((l) => l.startsWith(`TCP  127.0.0.1:${vport}`));
    assert.equal(svcLine?.trim().split(/\s+/)[2], '30', `30 connections counted: ${stats.stdout}`);

    // Run-time drain and enable through halb ctl (what keepalived can only do with a reload).
    const svc = `TCP:127.0.0.1:${vport}`;
    const drain = d.ctl('drain', svc, `127.0.0.1:${backends[0]!.port}`);
    assert.equal(drain.status, 0, drain.stderr);
    const drained: string[] = [];
    for (let i = 0; i < 8; i++) drained.push(await httpGet('127.0.0.1', vport));
    assert.ok(!drained.includes('web1'), `a drained server gets no new connection: ${drained.join(',')}`);
    assert.match(d.ctl('list', '-n').stdout, new RegExp(`127\\.0\\.0\\.1:${backends[0]!.port} +Masq +0 `));
    assert.equal(d.ctl('enable', svc, `127.0.0.1:${backends[0]!.port}`).status, 0);
    const enabled: string[] = [];
    for (let i = 0; i < 6; i++) enabled.push(await httpGet('127.0.0.1', vport));
    assert.ok(enabled.includes('web1'), 'enabled again');
    const bad = d.ctl('drain', svc, '127.0.0.1:1');
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /no real server 127\.0\.0\.1:1/);

    // Remove web3 and reload with SIGHUP: only web1/web2 get new connections.
    writeFileSync(conf, config(vport, backends.slice(0, 2)));
    d.child.kill('SIGHUP');
    await waitFor(() => !d.ctl('list', '-n').stdout.includes(`:${backends[2]!.port} `), 5000);
    const after1: string[] = [];
    for (let i = 0; i < 10; i++) after1.push(await httpGet('127.0.0.1', vport));
    assert.deepEqual(new Set(after1), new Set(['web1', 'web2']));

    // A broken config is refused with its diagnostics; the service keeps answering.
    writeFileSync(conf, `${config(vport, backends)}virtual_server 127.0.0.1 ${vport} {\n  lb_algo nosuch\n`);
    const r = d.ctl('reload');
    assert.equal(r.status, 5, r.stdout + r.stderr);
    assert.match(r.stdout, /reload refused/);
    assert.match(r.stderr, /Invalid lvs_scheduler 'nosuch'|missing '\}'/);
    d.child.kill('SIGHUP');
    const still: string[] = [];
    for (let i = 0; i < 6; i++) still.push(await httpGet('127.0.0.1', vport));
    assert.deepEqual(new Set(still), new Set(['web1', 'web2']), 'the running config stayed');
  } finally {
    await d.stop();
    for (const b of backends) b.server.close();
  }
});

async function waitFor(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('condition not met in time');
}
