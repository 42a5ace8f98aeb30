// Worker for preprocessor-expansion-is-bounded.test.ts: loads one config text and posts
// back a summary, so the test can stop a load that never ends (or runs out of memory)
// without taking the test process down with it.
import { parentPort, workerData } from 'node:worker_threads';
import { parseConfigText } from '../../../src/config/index.js';

const r = parseConfigText(workerData as string, '/expansion.conf', { configId: 'lb1', env: {} });
parentPort?.postMessage({
  ok: r.ok,
  diagnostics: r.diagnostics.length,
  firstErrors: r.diagnostics.filter((d) => d.severity !== 'warning').slice(0, 3).map((d) => d.message),
});
