// keepalived's dump signals sent to the running daemon: SIGUSR1 (data), SIGUSR2
// (stats), SIGRTMIN+2 (JSON, the number `halb --signum JSON` prints, as with keepalived)
// and SIGRTMAX-1 (stats-clear) write the files named by state_dump_file, stats_dump_file
// and json_dump_file; SIGRTMAX (thread dump) logs. The daemon survives every one of them
// (an RT signal's default action would end it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { HALB, startBackend } from '../../helpers/daemon-process.js';
import { freePort, poolConf, startHalb, until } from './harness.js';

function signum(name: string): number {
  const r = spawnSync(process.execPath, [HALB, '--signum', name], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return Number(r.stdout.trim());
}

test('SIGUSR1, SIGUSR2, SIGJSON and SIGSTATS_CLEAR write keepalived-style files at the configured paths', async () => {
  const a = await startBackend('A');
  const vport = await freePort();
  const globals = ['    state_dump_file @DIR@/ka.data', '    stats_dump_file @DIR@/ka.stats', '    json_dump_file @DIR@/ka.json', '    json_version 2'].join('\n');
  const halb = await startHalb({ conf: poolConf(vport, [a.port, 1], globals) });
  const pid = halb.child.pid ?? 0;
  const f = (n: string): string => join(halb.dir, n);
  // Files are written to a temporary name and renamed into place, so a rewrite is a new
  // inode. (Comparing mtimes to Date.now() is flaky: the kernel stamps files with its
  // coarse clock, which can lag the wall clock by a tick.)
  const inode = (file: string): number => (existsSync(file) ? statSync(file).ino : -1);
  const fresh = async (file: string, before: number): Promise<string> => until(() => {
    const ino = inode(file);
    return ino !== -1 && ino !== before ? readFileSync(file, 'utf8') : undefined;
  }, 3000);
  try {
    // keepalived's numbers: SIGJSON is SIGRTMIN+2 (34+2 with glibc), STATS_CLEAR SIGRTMAX-1.
    const json = signum('JSON');
    const clear = signum('STATS_CLEAR');
    assert.equal(json, 36);
    assert.equal(clear, 63);
    assert.equal(signum('DATA'), 10);
    await until(() => (/Disabling service \[127\.0\.0\.1\]:tcp:1 /.test(halb.output()) ? true : undefined), 5000);

    let t = inode(f('ka_check.data'));
    process.kill(pid, 'SIGUSR1');
    const check = await fresh(f('ka_check.data'), t);
    assert.match(check, /^------< Virtual servers >------$/m);
    assert.match(check, new RegExp(`^ VS = \\[127\\.0\\.0\\.1\\]:tcp:${vport}$`, 'm'));
    assert.match(check, new RegExp(`^   RS = \\[127\\.0\\.0\\.1\\]:tcp:${a.port}\\n     weight = 1\\n     alive = yes`, 'm'));
    assert.match(check, /^ {3}RS = \[127\.0\.0\.1\]:tcp:1\n {5}weight = 0\n {5}alive = no$/m, 'the failed server is listed, down');
    assert.match(check, /Checker = TCP_CHECK \[127\.0\.0\.1\]:tcp:1, DOWN/);
    assert.equal(existsSync(f('ka.data')), false, 'no VRRP in this daemon: no VRRP data file, as keepalived');

    t = inode(f('ka.stats'));
    process.kill(pid, 'SIGUSR2');
    assert.equal(await fresh(f('ka.stats'), t), '', 'no VRRP instance: an empty stats file');

    t = inode(f('ka.json'));
    process.kill(pid, json);
    const parsed = JSON.parse(await fresh(f('ka.json'), t)) as { vrrp: unknown[] };
    assert.deepEqual(parsed, { vrrp: [] }, 'json_version 2 wraps the list');

    t = inode(f('ka.stats'));
    process.kill(pid, clear);
    await fresh(f('ka.stats'), t);
    assert.ok(await halb.waitFor(/SIGSTATS_CLEAR: writing the stats; counters are not cleared/, 2000));

    process.kill(pid, signum('TDATA'));
    assert.ok(await halb.waitFor(/SIGTDUMP: main event loop delay mean [\d.]+ ms/, 2000), 'SIGRTMAX logs the event loop state');

    assert.equal(halb.child.exitCode, null, 'the daemon is still running');
    assert.equal(halb.child.signalCode, null);
    assert.match(halb.output(), /SIGUSR1: wrote .*ka_check\.data/);
    assert.match(halb.output(), /SIGJSON: wrote .*ka\.json/);
  } finally {
    await halb.stop();
    a.server.close();
  }
});
