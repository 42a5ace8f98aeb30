// track_file and vrrp_track_process against the real kernel: reading and init_file on a
// real file, the directory watch seeing a write, a rename over the file and a deletion
// (and falling back to polling where the directory cannot be watched), /proc reads of our
// own process, and (root) the kernel's process connector reporting a child's life.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import type { ProcessEvent } from '../../../src/core/process-table.js';
import { ProcConnector } from '../../../src/sys/proc-connector.js';
import { listProcs, readProc } from '../../../src/sys/proc-scan.js';
import { requireRoot } from '../../helpers/privileges.js';
import { initTrackFile, readTrackFile, watchTrackFile } from '../../../src/sys/track-file.js';

test('reading, init_file and watching a real file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'halb-tf-'));
  try {
    const f = join(dir, 'prio');
    assert.equal(await readTrackFile(f), 0, 'missing reads 0');
    await initTrackFile(f, -5, false);
    assert.equal(readFileSync(f, 'utf8'), '-5\n');
    await initTrackFile(f, 9, false);
    assert.equal(await readTrackFile(f), -5, 'an existing file is kept without overwrite');
    await initTrackFile(f, 9, true);
    assert.equal(await readTrackFile(f), 9);
    await assert.rejects(initTrackFile(dir, 1, true), /not a regular file/);

    let seen = 0;
    const w = watchTrackFile(f, () => { seen++; }, { pollMs: 60_000 });
    const waitFor = async (n: number): Promise<void> => {
      for (let i = 0; i < 200 && seen < n; i++) await new Promise((r) => setTimeout(r, 5));
    };
    writeFileSync(f, '1\n');
    await waitFor(1);
    assert.ok(seen >= 1, 'a write is seen');
    const before = seen;
    writeFileSync(join(dir, 'other'), 'x');
    writeFileSync(join(dir, 'new'), '0x20');
    renameSync(join(dir, 'new'), f);
    await waitFor(before + 1);
    assert.ok(seen > before, 'a file renamed over it is seen');
    assert.equal(await readTrackFile(f), 32);
    rmSync(f);
    const n = seen;
    await waitFor(n + 1);
    assert.ok(seen > n, 'a deletion is seen');
    w.close();

    let fellBack = '';
    const w2 = watchTrackFile(join(dir, 'no-such-dir', 'x'), () => undefined, { pollMs: 60_000, onFallback: (why) => { fellBack = why; } });
    assert.match(fellBack, /cannot watch .*no-such-dir/);
    w2.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('/proc reads: our own process, with its command line; a pid that does not exist', async () => {
  const me = await readProc(process.pid, true);
  assert.equal(me?.ppid, process.ppid);
  assert.equal(me?.cmdline?.[0], process.argv0);
  assert.equal(await readProc(0x7ffffff0, false), undefined, 'a pid that does not exist');
  const all = await listProcs(false);
  assert.ok(all.some((p) => p.pid === process.pid && p.cmdline === undefined), 'the table without command lines');
});

test('the process connector reports fork, exec and exit of a child (root, initial network namespace)', async (t) => {
  if (!requireRoot(t, 'the process connector')) return;
  const events: ProcessEvent[] = [];
  const c = new ProcConnector((ev) => events.push(ev));
  try {
    const child = spawn('/bin/true', [], { stdio: 'ignore' });
    await new Promise((r) => child.once('exit', r));
    const pid = child.pid!;
    for (let i = 0; i < 100 && !events.some((e) => e.kind === 'exit' && e.pid === pid); i++) await new Promise((r) => setTimeout(r, 10));
    const mine = events.filter((e) => e.kind !== 'lost' && e.pid === pid).map((e) => e.kind);
    assert.deepEqual(mine, ['fork', 'exec', 'exit']);
    const fork = events.find((e) => e.kind === 'fork' && e.pid === pid);
    assert.ok(fork?.kind === 'fork' && fork.ppid === process.pid);
  } finally {
    c.close();
  }
});
