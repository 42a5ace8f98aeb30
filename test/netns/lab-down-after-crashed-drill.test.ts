// `halb lab down` after the worst case: a drill killed with SIGKILL half way (its load
// client, address watchers and restarted daemons orphaned) and the lab's state file gone
// too. down must still find and remove every namespace and process by name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gate } from '../helpers/netns.js';
import { repoRoot, sleep } from '../helpers/vrrp-nodes.js';
import { listProcs } from '../../src/sys/proc-scan.js';

const CLI = process.env.HALB_CLI ?? join(repoRoot(), 'dist', 'src', 'cli', 'main.js');
const NAME = `c${process.pid % 100000}`;

function namespaces(): string[] {
  return spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout.split('\n').map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n.startsWith(`hlab-${NAME}-`));
}

async function labProcesses(dir: string): Promise<string[]> {
  const inNs = namespaces().flatMap((ns) => spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout.split(/\s+/).filter((s) => s !== ''));
  const byArgs = (await listProcs(true)).filter((p) => (p.cmdline ?? []).some((a) => a === dir || a.startsWith(`${dir}/`))).map((p) => String(p.pid));
  return [...new Set([...inNs, ...byArgs])];
}

test('halb lab down removes everything after a drill was killed and the state file lost', async (t) => {
  if (!gate(t, 'halb lab down after a crash', ['ip', 'bridge', 'sysctl'])) return;
  const root = mkdtempSync(join(tmpdir(), 'halb-lab-crash-'));
  const dir = join(root, NAME);
  const env = { ...process.env, HALB_LAB_DIR: root };
  try {
    const up = spawnSync(process.execPath, [CLI, 'lab', 'up', '--name', NAME], { encoding: 'utf8', timeout: 60_000, env });
    assert.equal(up.status, 0, `lab up:\n${up.stderr}`);
    assert.equal(namespaces().length, 6);

    // failover first: by the time it is killed it has powered dir1 off and started watchers and a load client.
    const drill = spawn(process.execPath, [CLI, 'lab', 'drill', 'failover,failback', '--name', NAME, '--no-html'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let progress = '';
    drill.stderr?.on('data', (c: Buffer) => { progress += c.toString(); });
    await sleep(3500);
    const mid = await labProcesses(dir);
    drill.kill('SIGKILL');
    await new Promise((r) => drill.once('exit', r));
    assert.ok(mid.length >= 5, `the lab ran processes when the drill died (${mid.length})\n${progress}`);
    rmSync(join(dir, 'state.json'));

    const down = spawnSync(process.execPath, [CLI, 'lab', 'down', '--name', NAME], { encoding: 'utf8', timeout: 60_000, env });
    assert.equal(down.status, 0, down.stderr);
    assert.match(down.stdout, /removed 6 namespace\(s\)/);
    assert.deepEqual(namespaces(), [], 'no namespace left');
    assert.deepEqual(await labProcesses(dir), [], 'no process left');
    assert.equal(existsSync(dir), false);
  } finally {
    spawnSync(process.execPath, [CLI, 'lab', 'down', '--name', NAME], { timeout: 60_000, env });
    rmSync(root, { recursive: true, force: true });
  }
});
