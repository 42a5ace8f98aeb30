import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FAST, oneServerConfig, startChecking } from './harness.js';
import { MiscChecker } from '../../../src/check/misc.js';
import { hostScripts, scriptPort } from '../../../src/sys/script/runner.js';
import type { MiscCheck } from '../../../src/config/model/checkers.js';

let dir = '';

/** A zombie waiting for init to reap it has terminated already. */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}
let script = '';
let state = '';

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'halb-misc-'));
  chmodSync(dir, 0o755);
  state = join(dir, 'status');
  script = join(dir, 'check.sh');
  writeFileSync(state, '0\n');
  writeFileSync(script, `#!/bin/sh\n# argv[1] is the state file\nexit $(cat "$1")\n`);
  chmodSync(script, 0o755);
});

after(() => rmSync(dir, { recursive: true, force: true }));

test('MISC_CHECK: exit 0 is up, exit 1 down; misc_dynamic exit N sets weight N-2', async () => {
  const h = startChecking(oneServerConfig({
    rsPort: 80,
    globals: 'enable_script_security\n  script_user root',
    checkers: `    MISC_CHECK {\n      misc_path "${script} ${state}"\n      misc_timeout 2\n      misc_dynamic\n      ${FAST}\n    }`,
  }));
  try {
    await h.waitFor(true);
    writeFileSync(state, '1\n');
    await h.waitFor(false);
    writeFileSync(state, '0\n');
    await h.waitFor(true);
    writeFileSync(state, '12\n');
    const deadline = Date.now() + 3000;
    while (h.hs.health(h.rsId)?.weight !== 10 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(h.hs.health(h.rsId), { alive: true, weight: 10 });
  } finally {
    await h.stop();
  }
});

test('MISC_CHECK: a script that outlives misc_timeout is killed with its whole process group', async () => {
  const pidFile = join(dir, 'child.pid');
  const slow = join(dir, 'slow.sh');
  writeFileSync(slow, `#!/bin/sh\nsleep 30 &\necho $! > "${pidFile}"\nwait\n`);
  chmodSync(slow, 0o755);
  const cfg: MiscCheck = {
    kind: 'MISC_CHECK', pos: { file: 'x', line: 1 }, alpha: false, retry: 0, delayLoopMs: 1000, delayBeforeRetryMs: 1000, warmupMs: 0, logAllFailures: false,
    script: { argv: [slow], text: slow, run: { argv: [slow], uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0, label: 'self', viaShell: false } },
    timeoutMs: 300, dynamic: false,
  };
  const t0 = performance.now();
  const r = await new MiscChecker(cfg, scriptPort()).run(new AbortController().signal);
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.reason, 'timeout');
  assert.ok(performance.now() - t0 < 2000);
  assert.ok(existsSync(pidFile));
  const child = Number(readFileSync(pidFile, 'utf8'));
  // The grandchild (sleep) was in the script's process group and is gone too.
  let alive = true;
  for (let i = 0; i < 20 && alive; i++) {
    alive = running(child);
    if (alive) await new Promise((res) => setTimeout(res, 50));
  }
  assert.equal(alive, false, `sleep ${child} survived the timeout`);
});

test('MISC_CHECK with an insecure script under enable_script_security is left out with the reason', async () => {
  const { parseConfigText } = await import('../../../src/config/index.js');
  const { buildTarget, contextFromConfig } = await import('../../../src/check/registry.js');
  chmodSync(dir, 0o777);
  try {
    const r = parseConfigText(oneServerConfig({ rsPort: 80, globals: 'enable_script_security\n  script_user root', checkers: `    MISC_CHECK {\n      misc_path ${script}\n    }` }),
      '/keepalived.conf', { scripts: hostScripts() });
    const vs = r.config.virtualServers[0]!;
    const built = buildTarget({ rsId: 'x', label: 'x' }, vs, vs.realServers[0]!, contextFromConfig(r.config, scriptPort()));
    assert.equal(built.target.checkers.length, 0);
    const said = r.diagnostics.map((d) => d.message).join('\n');
    assert.match(said, new RegExp(`Unsafe permissions found for script '${script}' - disabling: '${dir}' is writable by everyone \\(mode 0777\\)`));
    assert.match(said, /Disabling misc script '.*check\.sh' due to insecure/);
  } finally {
    chmodSync(dir, 0o755);
  }
});
