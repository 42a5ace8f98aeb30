// halb_bgp when things go wrong, in a namespace of its own, as a user would meet it:
//  - `halb -t` names a malformed halb_bgp line by file:line and exits 5;
//  - the BGP daemon missing: halb runs, serves its virtual server and control socket,
//    and status and /metrics say the daemon is down and why;
//  - a reload that brings BIRD back starts it; an unreachable neighbour shows as a
//    session that is not Established (status and metrics), nothing else is affected;
//  - a reload with a malformed block is refused and the running BGP stays;
//  - a clean stop withdraws and stops the BIRD halb started.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gate, NetNs } from '../helpers/netns.js';
import { HALB } from '../helpers/daemon-process.js';
import type { BgpSnapshot } from '../../src/bgp/speaker.js';

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const conf = (bgpExtra: string): string => `halb_bgp {
    local_as 65001
    router_id 192.0.2.2
    neighbor 192.0.2.250 as 65000
    announce 192.0.2.100
${bgpExtra}}
virtual_server 192.0.2.100 8080 {
    lb_algo mh
    protocol TCP
    real_server 192.0.2.2 8081 {
    }
}
`;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('halb_bgp: -t errors, a missing BGP daemon, an unreachable neighbour, a refused reload, a clean stop', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'halb-bgperr-'));
  const file = join(dir, 'keepalived.conf');
  writeFileSync(file, conf('    neighbor 192.0.2.9 as x\n'));
  const chk = spawnSync(process.execPath, [HALB, '-t', '-f', file, '--no-host-checks'], { encoding: 'utf8' });
  if (chk.status !== 5 || !gate(t, 'halb_bgp daemon errors', ['ip', 'bird'])) rmSync(dir, { recursive: true, force: true });
  assert.equal(chk.status, 5, chk.stderr);
  assert.ok(chk.stderr.includes(`(${file}: Line 6) invalid number 'x'`), chk.stderr);
  if (!existsSync(dir)) return;
  const ns = NetNs.create('bgperr', [{ name: 'eth0', peer: 'eth0p', addresses: ['192.0.2.2/24'] }]);
  ns.run('ip', ['addr', 'add', '192.0.2.100/32', 'dev', 'lo']);
  writeFileSync(file, conf('    bird_path /nonexistent/bird\n'));
  const socket = join(dir, 'halb.sock');
  const child = spawn('ip', ['netns', 'exec', ns.name, process.execPath, HALB, '-n', '-l', '-f', file, '--control-socket', socket, '--admin-listen', '127.0.0.1:9181'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
  child.stderr.on('data', (c: Buffer) => { out += c.toString(); });
  const ctl = (...args: string[]): { status: number | null; stdout: string; stderr: string } => {
    const r = spawnSync(process.execPath, [HALB, 'ctl', '--control-socket', socket, ...args], { encoding: 'utf8', timeout: 15_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const bgp = (): BgpSnapshot => {
    const r = ctl('bgp', '--json');
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as BgpSnapshot;
  };
  const metrics = (): string => ns.run(process.execPath, ['-e', "fetch('http://127.0.0.1:9181/metrics').then(r=>r.text()).then(t=>process.stdout.write(t))"]).stdout;
  const until = async <T>(what: string, get: () => T, ok: (v: T) => boolean, ms = 15_000): Promise<T> => {
    const end = Date.now() + ms;
    for (;;) {
      let v: T | undefined;
      try {
        v = get();
        if (ok(v)) return v;
      } catch {
        // not up yet
      }
      if (Date.now() > end) assert.fail(`${what}: ${JSON.stringify(v)}\n${out}`);
      await pause(200);
    }
  };
  try {
    // 1. No BGP daemon where the config says: halb runs, and says so.
    const down = await until('status shows the daemon missing', bgp, (b) => b.daemon.state === 'down');
    assert.match(down.daemon.error ?? '', /BGP daemon '\/nonexistent\/bird' not found/);
    assert.equal(ctl('list').status, 0, 'the rest of halb answers');
    const m1 = await until('metrics', metrics, (m) => m.includes('halb_bgp_daemon_up'));
    assert.match(m1, /^halb_bgp_daemon_up 0$/m);
    assert.match(m1, /^halb_bgp_daemon_restarts_total [1-9]/m);

    // 2. Reload with the real BIRD: it starts; the neighbour does not answer.
    writeFileSync(file, conf(''));
    const rl = ctl('reload');
    assert.equal(rl.status, 0, rl.stderr);
    const up = await until('BIRD running, session not established', bgp, (b) => b.daemon.state === 'running' && b.sessions[0]?.state !== 'unknown');
    assert.notEqual(up.sessions[0]?.bgpState, 'Established');
    assert.equal(up.prefixes[0]?.announced, true, 'the VIP is announced for when the neighbour comes');
    const m2 = metrics();
    assert.match(m2, /^halb_bgp_daemon_up 1$/m);
    assert.match(m2, /^halb_bgp_session_established\{neighbor="192\.0\.2\.250",remote_as="65000"\} 0$/m);
    assert.match(m2, /^halb_bgp_prefix_announced\{prefix="192\.0\.2\.100\/32"\} 1$/m);
    assert.match(ctl('bgp').stdout, /192\.0\.2\.250 +65000 +start/);

    // 3. A malformed block on reload is refused; BGP keeps running as it was.
    writeFileSync(file, conf('    hold_time 1\n'));
    const bad = ctl('reload');
    assert.match(bad.stdout + bad.stderr, /hold_time 1: must be 0 or at least 3 seconds/);
    const still = bgp();
    assert.equal(still.daemon.pid, up.daemon.pid);

    // 4. A clean stop takes its BIRD along.
    const pid = still.daemon.pid as number;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    await exited;
    assert.match(out, /withdrawing 192\.0\.2\.100\/32 \(clean stop\)/);
    assert.equal(alive(pid), false, 'BIRD stopped with halb');
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    ns.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});
