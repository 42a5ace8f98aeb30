#!/usr/bin/env node
// Runs the compiled node:test suites tier by tier. Node 20's `--test` has no glob
// support, so the file list is built here; an empty unit or integration tier is an
// error so a broken build can never pass as "0 tests". netns tests share kernel
// state (namespaces, nft tables, CPU-sensitive timers) and run one file at a time.
// The vm tier needs a kernel with IPVS: its files run inside one QEMU guest per batch
// (scripts/vm/run.mjs, docs/testing.md). The guest is another kernel, so it shares no
// namespaces, nft tables or IPVS state with the host tiers: it runs beside them (its
// output is held in a file and printed when it ends), which keeps `npm test` within
// its time budget on two cores. HALB_TESTS_SERIAL=1 runs it after them instead.
import { readdirSync, statSync, existsSync, readFileSync, mkdtempSync, rmSync, openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir, availableParallelism } from 'node:os';
import { spawn } from 'node:child_process';

const requested = process.argv.slice(2);
const tiers = requested.length ? requested : ['unit', 'integration', 'netns', 'vm'];

function collect(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) collect(p, out);
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const parallel = [];
const serial = [];
const vm = [];
for (const tier of tiers) {
  const files = collect(join('dist', 'test', tier));
  if (tier === 'vm') { vm.push(...files); continue; }
  if (files.length === 0 && tier !== 'netns') {
    console.error(`run-tests: no compiled tests under dist/test/${tier} (did the build run?)`);
    process.exit(1);
  }
  (tier === 'netns' ? serial : parallel).push(...files);
}

const work = mkdtempSync(join(tmpdir(), 'halb-tests-'));
const totals = { pass: 0, fail: 0, skipped: 0, todo: 0, cancelled: 0 };
let status = 0;
/** Adds a TAP report's totals; returns how many failures it reported. */
function count(tap) {
  const text = existsSync(tap) ? readFileSync(tap, 'utf8') : '';
  let failed = 0;
  for (const key of Object.keys(totals)) {
    const m = text.match(new RegExp(`^# ${key} (\\d+)$`, 'm'));
    if (m) totals[key] += Number(m[1]);
    if (m && (key === 'fail' || key === 'cancelled')) failed += Number(m[1]);
  }
  return failed;
}
function child(args, out) {
  return new Promise((resolve) => {
    const fd = out === undefined ? undefined : openSync(out, 'a');
    const c = spawn(process.execPath, args, { stdio: ['ignore', fd ?? 'inherit', fd ?? 'inherit'] });
    c.on('error', (e) => { console.error(`run-tests: ${e.message}`); resolve({ status: 1 }); });
    c.on('close', (code, signal) => {
      if (fd !== undefined) closeSync(fd);
      resolve({ status: code ?? (signal ? 1 : 0) });
    });
  });
}
async function run(files, concurrency, label) {
  if (files.length === 0) return;
  const tap = join(work, `${label}.tap`);
  const args = ['--test', `--test-concurrency=${concurrency}`,
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=tap', `--test-reporter-destination=${tap}`, ...files];
  const r = await child(args);
  if (r.status !== 0) status = r.status ?? 1;
  count(tap);
}
// One guest boot per batch (a boot costs ~5-15 s under TCG); the files of a batch run
// one at a time inside it. Exit 77 from run.mjs means the VM cannot start here.
const VM_BATCH = 16;
async function runVm(files, out) {
  if (files.length === 0) return;
  const ci = process.env.CI === 'true';
  const skip = (why) => {
    if (ci) {
      console.error(`run-tests: the vm tier cannot run under CI: ${why}`);
      totals.fail += 1;
      status = 1;
      return;
    }
    console.error(`\n*** SKIPPED: vm tier (${files.length} files): ${why} ***\n`);
    totals.skipped += files.length;
  };
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return skip('needs root');
  for (let i = 0; i < files.length; i += VM_BATCH) {
    const batch = files.slice(i, i + VM_BATCH);
    const tap = join(work, `vm-${i}.tap`);
    // A hang guard, not a budget: the oracle file alone takes 6-10 min on a loaded 2-core host.
    const timeout = 300 + 300 * batch.length;
    const r = await child([join('scripts', 'vm', 'run.mjs'),
      '--timeout', String(timeout), '--tap', tap, ...batch], out);
    if (r.status === 77) return skip('the test VM cannot start (see above)');
    const failed = count(tap);
    if (r.status !== 0) {
      status = r.status ?? 1;
      // A guest that timed out or crashed may have reported no failure: count the batch as one.
      if (failed === 0) totals.fail += 1;
    }
  }
}
const beside = vm.length > 0 && (parallel.length > 0 || serial.length > 0) && process.env.HALB_TESTS_SERIAL !== '1';
const vmLog = beside ? join(work, 'vm.log') : undefined;
const vmStarted = Date.now();
if (beside) console.log(`run-tests: the vm tier (${vm.length} files) runs beside the others; its output follows theirs`);
const vmDone = beside ? runVm(vm, vmLog) : Promise.resolve();
await run(parallel, Math.max(2, availableParallelism()), 'parallel');
await run(serial, 1, 'serial');
if (beside) {
  await vmDone;
  console.log(`\n----- vm tier output (${Math.round((Date.now() - vmStarted) / 1000)} s) -----`);
  if (existsSync(vmLog)) process.stdout.write(readFileSync(vmLog, 'utf8'));
} else await runVm(vm);
rmSync(work, { recursive: true, force: true });
if (totals.cancelled > 0 && status === 0) status = 1;
console.log(`\n${totals.pass} passed, ${totals.fail + totals.cancelled} failed, ${totals.skipped} skipped`);
process.exit(status);
