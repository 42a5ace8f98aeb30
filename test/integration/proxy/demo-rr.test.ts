// `halb demo` (what `npm start` runs) as a new user meets it: six requests to
// 127.0.0.1:8080 answer backend-1, -2, -3, -1, -2, -3 (lb_algo rr), with the default
// worker processes accepting connections too. The demo's ports are fixed, so the run
// holds /tmp/halb-demo.lock; the whole process group is killed after.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { within } from './helpers.js';

const MAIN = fileURLToPath(new URL('../../../src/cli/main.js', import.meta.url));

function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    // A new connection per request, as curl makes.
    const req = http.get(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { body += d; });
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
  });
}

test('halb demo answers backend-1, -2, -3, -1, -2, -3', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'halb-demo-test-'));
  const child = spawn('flock', ['/tmp/halb-demo.lock', process.execPath, MAIN, 'demo', '--control-socket', join(dir, 'halb.sock')], {
    stdio: ['ignore', 'pipe', 'pipe'], detached: true,
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
  child.stderr.setEncoding('utf8').on('data', (d: string) => { out += d; });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    await within(60_000, 'demo start', new Promise<void>((resolve, reject) => {
      const check = (): void => { if (out.includes('halb demo is running')) resolve(); };
      child.stdout.on('data', check);
      child.once('exit', (code) => reject(new Error(`demo exited (${code}): ${out}`)));
    }));
    const names: string[] = [];
    for (let i = 0; i < 6; i++) names.push(/backend-\d/.exec(await get('http://127.0.0.1:8080/'))?.[0] ?? '?');
    assert.deepEqual(names, ['backend-1', 'backend-2', 'backend-3', 'backend-1', 'backend-2', 'backend-3'], out);
  } finally {
    if (child.exitCode === null && child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
    await within(15_000, 'demo exit', exited).catch(() => {
      if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
    });
    rmSync(dir, { recursive: true, force: true });
  }
});
