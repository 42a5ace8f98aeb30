#!/usr/bin/env node
// Runs the compiled node:test suites tier by tier. Node 20's `--test` has no glob
// support, so the file list is built here; an empty unit or integration tier is an
// error so a broken build can never pass as "0 tests". netns tests share kernel
// state (namespaces, nft tables, CPU-sensitive timers) and run one file at a time.
// The vm tier needs a kernel with IPVS: its files run inside one QEMU guest per batch
// (scripts/vm/run.mjs, docs/testing.md).
import { readdirSync, statSync, existsSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir, availableParallelism } from 'node:os';
import { spawnSync } from 'node:child_process';

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
function count(tap) {
  const text = existsSync(tap) ? readFileSync(tap, 'utf8') : '';
  for (const key of Object.keys(totals)) {
    const m = text.match(new RegExp(`^# ${key} (\\d+)$`, 'm'));
    if (m) totals[key] += Number(m[1]);
  }
  return text !== '';
}
function run(files, concurrency, label) {
  if (files.length === 0) return;
  const tap = join(work, `${label}.tap`);
  const args = ['--test', `--test-concurrency=${concurrency}`,
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=tap', `--test-reporter-destination=${tap}`, ...files];
  const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
  if (r.status !== 0) status = r.status ?? 1;
  count(tap);
}
// One guest boot per batch (a boot costs ~5-15 s under TCG); the files of a batch run
// one at a time inside it. Exit 77 from run.mjs means the VM cannot start here.
const VM_BATCH = 16;
function runVm(files) {
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
    const r = spawnSync(process.execPath, [join('scripts', 'vm', 'run.mjs'),
      '--timeout', String(timeout), '--tap', tap, ...batch], { stdio: 'inherit' });
    if (r.status === 77) return skip('the test VM cannot start (see above)');
    const counted = count(tap);
    if (r.status !== 0) {
      status = r.status ?? 1;
      if (!counted) totals.fail += 1;
    }
  }
}
run(parallel, Math.max(2, availableParallelism()), 'parallel');
run(serial, 1, 'serial');
runVm(vm);
rmSync(work, { recursive: true, force: true });
if (totals.cancelled > 0 && status === 0) status = 1;
console.log(`\n${totals.pass} passed, ${totals.fail + totals.cancelled} failed, ${totals.skipped} skipped`);
process.exit(status);
