// The lab compares times taken in several processes: a client's request samples, the
// drill's marks and the directors' log lines (Date.now()). performance.timeOrigin +
// performance.now() is stamped during node's start-up and ran 27-285 ms ahead of
// Date.now() in the emulated VM (a whole second under CI's load, which made a drill
// count requests that failed before the verdict as failing after it). preciseWallNow()
// must agree with Date.now() in a freshly started process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const CLOCK = new URL('../../../src/core/clock.js', import.meta.url).href;

test('preciseWallNow() agrees with Date.now() in a fresh process; timeOrigin + now() may not', () => {
  // Twenty readings each; the smallest gap is the clock's own, free of scheduling delays.
  const script = `import { preciseWallNow } from ${JSON.stringify(CLOCK)};
    const gap = (f) => { let m = Infinity; for (let i = 0; i < 20; i++) { const a = Date.now(); const b = f(); const c = Date.now(); m = Math.min(m, Math.max(a - b, b - c - 1, 0)); } return m; };
    console.log(JSON.stringify({ precise: gap(preciseWallNow), timeOrigin: gap(() => performance.timeOrigin + performance.now()) }));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  const gaps = JSON.parse(r.stdout) as { precise: number; timeOrigin: number };
  process.stderr.write(`gap to Date.now(): preciseWallNow ${gaps.precise.toFixed(3)} ms, timeOrigin + now() ${gaps.timeOrigin.toFixed(3)} ms\n`);
  // Date.now() truncates to whole milliseconds; the anchor is within half of one.
  assert.ok(gaps.precise <= 1, `preciseWallNow() is ${gaps.precise} ms off Date.now()`);
});
