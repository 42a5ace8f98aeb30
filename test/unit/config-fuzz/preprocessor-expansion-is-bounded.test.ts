// Parameter substitution and ~SEQ/~LST can describe more text than fits in memory:
// self-referencing or doubling definitions, nested sequences. Loading such a config
// must end quickly with diagnostics, never hang or exhaust the heap (keepalived 2.2.7
// itself loops forever on the first case). Each load runs in a worker with a memory
// cap and a deadline so a regression fails the test instead of stalling the suite.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';

// A hang guard, not a speed check: a bounded load takes well under a second on a quiet
// machine, but the vm tier runs beside the unit tier and can hold both cores.
const DEADLINE_MS = 30_000;

interface Summary { ok: boolean; diagnostics: number; firstErrors: string[] }

function loadInWorker(text: string): Promise<Summary> {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL('./expansion-worker.js', import.meta.url), {
      workerData: text,
      resourceLimits: { maxOldGenerationSizeMb: 256 },
    });
    const timer = setTimeout(() => {
      void w.terminate();
      reject(new Error(`still loading after ${DEADLINE_MS} ms`));
    }, DEADLINE_MS);
    w.once('message', (m: Summary) => { clearTimeout(timer); void w.terminate(); resolve(m); });
    w.once('error', (e) => { clearTimeout(timer); reject(e); });
  });
}

const doubling = (levels: number): string => {
  let s = '$A0=x\n';
  for (let i = 1; i <= levels; i++) s += `$A${i}=\${A${i - 1}} \${A${i - 1}}\n`;
  return `${s}$A${levels}\n`;
};

const cases: Array<[string, string]> = [
  ['control: a small config with a ~SEQ and a parameter', '$N=3\n~SEQ(I, 1, $N) $N\n'],
  ['a definition that doubles itself', '$A=${A}${A}\n$A\n'],
  ['two definitions that expand each other', '$A=$B $B\n$B=$A $A\n$A\n'],
  ['a chain of 40 doubling definitions (2^40 words)', doubling(40)],
  ['nested ~SEQ blocks of 10^8 lines', '~SEQ(I, 1, 10000) ~SEQ(J, 1, 10000) x\n'],
  ['a ~LST over a doubled definition', '$A=${A}${A}\n~LST(I, 1, 2, 3) $A\n'],
];

// Concurrent, so even a full regression costs one deadline, not five.
describe('runaway expansion', { concurrency: true }, () => {
  for (const [what, text] of cases) {
    it(`${what}: loading ends with diagnostics`, async () => {
      const r = await loadInWorker(text);
      assert.equal(typeof r.ok, 'boolean');
      assert.ok(r.diagnostics >= 0);
    });
  }
});
