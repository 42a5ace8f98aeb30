#!/usr/bin/env node
// Usage: flock /tmp/halb-vm.lock node scripts/vm/run.mjs [--smp N] [--mem MiB] [--timeout S]
//          [--tap FILE] [--sh 'COMMAND'] dist/test/vm/FILE.test.js...
//
// Boots ONE QEMU (TCG) VM with Debian's own kernel (it has IPVS, ipip, ...; see
// scripts/vm/prepare.sh), the host's root filesystem as a read-only 9p share under a
// tmpfs overlay, and runs `node --test` on the given compiled test files inside it, in
// the repository's absolute path (visible through the host root share). Their output
// streams here over the serial console; the exit status is theirs. --tap copies the
// TAP report out (how scripts/run-tests.mjs counts); --sh runs a shell command in the
// guest instead of tests. CI, HALB_*, NODE_OPTIONS and DEBUG pass into the guest, which
// also gets HALB_IN_VM=1. qemu is killed after --timeout seconds or on any failure.
// docs/testing.md describes the tier.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');

function usage(msg) {
  console.error(`vm: ${msg}\nusage: node scripts/vm/run.mjs [--smp N] [--mem MiB] [--timeout S] [--tap FILE] [--sh CMD] FILE.test.js...`);
  process.exit(2);
}

const opts = { smp: 2, mem: 2048, timeout: 600, tap: undefined, sh: undefined };
const files = [];
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  const value = () => {
    const v = argv[++i];
    if (v === undefined) usage(`${a} needs a value`);
    return v;
  };
  if (a === '--smp' || a === '--mem' || a === '--timeout') {
    const n = Number(value());
    if (!Number.isInteger(n) || n <= 0) usage(`${a} wants a positive integer`);
    opts[a.slice(2)] = n;
  } else if (a === '--tap') opts.tap = resolve(value());
  else if (a === '--sh') opts.sh = value();
  else if (a.startsWith('--')) usage(`unknown option ${a}`);
  else files.push(a);
}
if (files.length === 0 && opts.sh === undefined) usage('no test files given');
const absFiles = files.map((f) => resolve(f));
for (const f of absFiles) if (!existsSync(f) || !statSync(f).isFile()) usage(`${f}: no such file (did the build run?)`);

function which(p) {
  return spawnSync('sh', ['-c', `command -v ${p}`], { encoding: 'utf8' }).status === 0;
}
if (!which('qemu-system-x86_64')) {
  console.error('vm: qemu-system-x86_64 is not installed (scripts/install-deps.sh installs qemu-system-x86)');
  process.exit(77);
}

// Kernel + initramfs (cached; the first run downloads Debian's kernel package).
const prep = spawnSync('bash', [join(here, 'prepare.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
if (prep.status !== 0) {
  console.error(`vm: scripts/vm/prepare.sh failed (${prep.status ?? prep.signal}); cannot boot the test VM`);
  process.exit(77);
}
const kernel = Object.fromEntries(prep.stdout.trim().split('\n').map((l) => {
  const at = l.indexOf('=');
  return [l.slice(0, at), l.slice(at + 1)];
}));
for (const k of ['KVER', 'VMLINUX', 'INITRD', 'MODULES']) {
  if (!kernel[k]) { console.error(`vm: prepare.sh printed no ${k}`); process.exit(77); }
}

const q = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;
const job = mkdtempSync(join(tmpdir(), 'halb-vm-'));
const env = { HALB_IN_VM: '1', HOME: '/root', PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' };
if (!process.stdout.isTTY) env.NO_COLOR = '1';
for (const [k, v] of Object.entries(process.env)) {
  if (v !== undefined && (k === 'CI' || k.startsWith('HALB_') || k === 'NODE_OPTIONS' || k === 'DEBUG')) env[k] = v;
}
env.HALB_IN_VM = '1';
const testCmd = opts.sh !== undefined ? `sh -c ${q(opts.sh)}` : [process.execPath, '--test', '--test-concurrency=1',
  '--test-reporter=spec', '--test-reporter-destination=stdout',
  '--test-reporter=tap', '--test-reporter-destination=/halb-vm/result.tap', ...absFiles].map(q).join(' ');
// init.sh keeps the checkout visible when it lives under /tmp (which the guest remounts).
writeFileSync(join(job, 'repo'), repo);
writeFileSync(join(job, 'job.sh'), [
  '#!/bin/sh',
  '# Written by scripts/vm/run.mjs; runs as the guest\'s init after switch_root.',
  ...Object.entries(env).map(([k, v]) => `export ${k}=${q(v)}`),
  'echo "@@halb-vm ready $(cut -d" " -f1 /proc/uptime)"',
  'ip link set lo up',
  'hostname halb-vm',
  `cd ${q(repo)} || { echo 1 > /halb-vm/status; echo b > /proc/sysrq-trigger; sleep 10; }`,
  testCmd,
  'echo $? > /halb-vm/status',
  'echo "@@halb-vm done $(cut -d" " -f1 /proc/uptime)"',
  'echo b > /proc/sysrq-trigger',
  'sleep 10',
  '',
].join('\n'), { mode: 0o755 });

const fsdev = (id, path, ro, tag) => [
  '-fsdev', `local,id=${id},path=${path},security_model=none${ro ? ',readonly=on' : ''},multidevs=remap`,
  '-device', `virtio-9p-pci,fsdev=${id},mount_tag=${tag}`,
];
const args = [
  '-accel', 'tcg', '-smp', String(opts.smp), '-m', String(opts.mem),
  '-nodefaults', '-no-user-config', '-display', 'none', '-vga', 'none', '-no-reboot',
  '-chardev', 'stdio,id=con,signal=off', '-serial', 'chardev:con',
  '-kernel', kernel.VMLINUX, '-initrd', kernel.INITRD,
  '-append', process.env.HALB_VM_APPEND ?? 'console=ttyS0 quiet loglevel=1 panic=-1 mitigations=off',
  ...fsdev('r', '/', true, 'hostroot'),
  ...fsdev('m', kernel.MODULES, true, 'kmods'),
  ...fsdev('j', job, false, 'job'),
];

const t0 = Date.now();
const secs = (ms) => (ms / 1000).toFixed(1);
let ready;
const qemu = spawn('qemu-system-x86_64', args, { stdio: ['ignore', 'pipe', 'pipe'] });
let timedOut = false;
const timer = setTimeout(() => {
  timedOut = true;
  console.error(`\nvm: timed out after ${opts.timeout} s; killing qemu`);
  qemu.kill('SIGKILL');
}, opts.timeout * 1000);
const stop = (sig) => {
  qemu.kill('SIGKILL');
  rmSync(job, { recursive: true, force: true });
  process.exit(128 + (sig === 'SIGINT' ? 2 : 15));
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('exit', () => { if (qemu.exitCode === null && qemu.signalCode === null) qemu.kill('SIGKILL'); });

let pending = '';
qemu.stdout.setEncoding('utf8');
qemu.stdout.on('data', (chunk) => {
  pending += chunk.replace(/\r/g, '');
  const lines = pending.split('\n');
  pending = lines.pop() ?? '';
  for (const line of lines) {
    // The reboot sysrq (qemu exits: -no-reboot) prints past `quiet`; it is the runner's noise, not the tests'.
    if (/^\[ *[\d.]+\] (sysrq: |reboot: |ACPI: PM: )/.test(line)) continue;
    const m = /^@@halb-vm (ready|done) (\S+)/.exec(line);
    if (m === null) { process.stdout.write(`${line}\n`); continue; }
    if (m[1] === 'ready') {
      ready = Date.now();
      console.error(`vm: guest up after ${secs(ready - t0)} s (guest uptime ${m[2]} s), kernel ${kernel.KVER}`);
    }
  }
});
qemu.stderr.pipe(process.stderr);

qemu.on('close', (code, signal) => {
  clearTimeout(timer);
  if (pending) process.stdout.write(`${pending}\n`);
  const end = Date.now();
  let status = 1;
  const statusFile = join(job, 'status');
  if (existsSync(statusFile)) status = Number(readFileSync(statusFile, 'utf8').trim()) || 0;
  else if (!timedOut) console.error(`vm: the guest reported no status (qemu ${code ?? signal}); see the console above`);
  if (timedOut) status = 124;
  const tap = join(job, 'result.tap');
  if (opts.tap !== undefined) {
    if (existsSync(tap)) copyFileSync(tap, opts.tap);
    else writeFileSync(opts.tap, '');
  }
  rmSync(job, { recursive: true, force: true });
  const inside = ready === undefined ? 'guest never came up' : `boot ${secs(ready - t0)} s, run ${secs(end - ready)} s`;
  console.error(`vm: ${inside}, total ${secs(end - t0)} s, status ${status}`);
  process.exit(status);
});
