// The IPVS engine against the real kernel (the VM tier): 1,000 random desired states
// applied by difference, each read back equal; an operator's own service untouched
// throughout and left in place when the engine stops; bad input (an unknown scheduler,
// a destination the kernel refuses, no CAP_NET_ADMIN) gets an error naming the service
// while the rest is applied.
import { spawn, spawnSync } from 'node:child_process';
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NetNs } from '../helpers/netns.js';
import { vmGate } from '../helpers/vm.js';
import { repoRoot } from '../helpers/config-fixtures.js';

const WORKER = join(repoRoot(), 'dist', 'test', 'vm', 'ipvs-property-worker.js');
const CLI = join(repoRoot(), 'dist', 'src', 'cli', 'main.js');

test('1,000 random desired states applied by difference: the kernel table equals each; the operator\'s service survives', (t) => {
  if (!vmGate(t, 'IPVS property test', ['ipvsadm'])) return;
  const ns = NetNs.create('ipvs-prop', []);
  t.after(() => ns.destroy());
  const r = ns.run(process.execPath, [WORKER, '1000', '7'], { timeoutMs: 540_000 });
  assert.equal(r.status, 0, `worker failed:\n${r.stderr}\n${r.stdout}`);
  const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { steps: number; changedServices: number; ms: number; left: string; operator: string };
  process.stderr.write(`ipvs property: ${out.steps} steps, ${out.changedServices} service changes, ${out.ms} ms (emulated; not a performance figure)\n`);
  assert.equal(out.steps, 1000);
  assert.ok(out.changedServices > 1000, `only ${out.changedServices} service changes: the states do not vary enough`);
  assert.equal(out.left, out.operator, 'after close only the operator\'s service is left, as it was');
});

function writeConf(dir: string, body: string): string {
  const f = join(dir, 'keepalived.conf');
  writeFileSync(f, body);
  return f;
}

const BAD = `
global_defs {
  router_id ipvs_bad
}
virtual_server 203.0.113.1 80 {
  lb_algo lblcr
  lb_kind NAT
  protocol TCP
  real_server 198.51.100.10 80 {
    weight 1
  }
}
virtual_server 203.0.113.2 80 {
  lb_algo rr
  lb_kind DR
  protocol TCP
  real_server 198.51.100.11 80 {
    weight 1
  }
  real_server 198.51.100.255 80 {
    weight 1
  }
}
virtual_server 203.0.113.3 53 {
  lb_algo wrr
  lb_kind NAT
  protocol UDP
  real_server 198.51.100.12 53 {
    weight 2
  }
}
`;

/** Make the kernel's request_module() for `mod` fail, as on a host where the module is missing. */
function hideModule(t: TestContext, mod: string): void {
  spawnSync('modprobe', ['-r', mod]);
  const path = spawnSync('modinfo', ['-n', mod], { encoding: 'utf8' }).stdout.trim();
  assert.ok(path !== '', `modinfo -n ${mod}: no path`);
  const m = spawnSync('mount', ['--bind', '/dev/null', path], { encoding: 'utf8' });
  assert.equal(m.status, 0, m.stderr);
  t.after(() => spawnSync('umount', [path]));
  assert.notEqual(spawnSync('modprobe', [mod]).status, 0, `${mod} still loads`);
}

test('bad input: a scheduler whose module is missing and a refused destination are named; the rest is applied; no crash', async (t) => {
  if (!vmGate(t, 'IPVS bad input', ['ipvsadm', 'modinfo'])) return;
  hideModule(t, 'ip_vs_lblcr');
  const ns = NetNs.create('ipvs-bad', [{ name: 'eth0', peer: 'eth0p', addresses: ['198.51.100.1/24'] }]);
  t.after(() => ns.destroy());
  const dir = mkdtempSync(join(tmpdir(), 'halb-ipvs-bad-'));
  const conf = writeConf(dir, BAD);
  const sock = join(dir, 'halb.sock');
  const child = spawn('ip', ['netns', 'exec', ns.name, process.execPath, CLI, '-n', '-l', '-f', conf, '--dataplane', 'ipvs',
    '--control-socket', sock, '--admin-listen', 'off'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (c: Buffer) => { log += c.toString(); });
  child.stderr.on('data', (c: Buffer) => { log += c.toString(); });
  t.after(() => { child.kill('SIGKILL'); });
  const deadline = Date.now() + 240_000;
  while (!/start: \d+ added/.test(log) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 200));
  assert.match(log, /start: \d+ added/, `the daemon did not start:\n${log}`);
  assert.match(log, /TCP:203\.0\.113\.1:80.*scheduler 'lblcr'.*ip_vs_lblcr/, log);
  assert.match(log, /TCP:203\.0\.113\.2:80.*refused real server 198\.51\.100\.255:80/, log);
  const list = ns.run('ipvsadm', ['-Ln']).stdout;
  assert.doesNotMatch(list, /203\.0\.113\.1:80/);
  assert.match(list, /TCP {2}203\.0\.113\.2:80 rr/);
  assert.match(list, /-> 198\.51\.100\.11:80 +Route +1/);
  assert.match(list, /UDP {2}203\.0\.113\.3:53 wrr/);
  assert.equal(child.exitCode, null, 'the daemon is still running');
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  assert.doesNotMatch(ns.run('ipvsadm', ['-Ln']).stdout, /203\.0\.113/, 'stopping removed every service halb created');
});

test('without CAP_NET_ADMIN: --dataplane ipvs refuses to start with a message naming the capability', (t) => {
  if (!vmGate(t, 'IPVS without CAP_NET_ADMIN', ['ipvsadm', 'setpriv'])) return;
  const ns = NetNs.create('ipvs-eperm', []);
  t.after(() => ns.destroy());
  const dir = mkdtempSync(join(tmpdir(), 'halb-ipvs-eperm-'));
  const conf = writeConf(dir, BAD);
  const r = ns.run('setpriv', ['--inh-caps=-all', '--bounding-set=-net_admin', process.execPath, CLI, '-n', '-l', '-f', conf,
    '--dataplane', 'ipvs', '--control-socket', join(dir, 's'), '--admin-listen', 'off'], { timeoutMs: 60_000 });
  assert.notEqual(r.status, 0);
  assert.match(`${r.stdout}${r.stderr}`, /CAP_NET_ADMIN/);
  assert.doesNotMatch(`${r.stdout}${r.stderr}`, /at .*\.js:\d+/, 'a message, not a stack trace');
});
