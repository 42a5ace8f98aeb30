// halb_bgp `daemon attach`: a BIRD the site already runs includes the file halb writes.
// halb puts the VIP in it and reconfigures that BIRD while its virtual server has quorum,
// takes it out on a clean stop, and leaves the site's BIRD running.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gate, NetNs } from '../helpers/netns.js';
import { HALB } from '../helpers/daemon-process.js';

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('halb_bgp attach: the site\'s BIRD gets the VIP while it has quorum, and loses it on a clean stop', async (t) => {
  if (!gate(t, 'halb_bgp attach mode', ['ip', 'bird', 'birdc'])) return;
  const dir = mkdtempSync(join(tmpdir(), 'halb-bgpatt-'));
  const ns = NetNs.create('bgpatt', []);
  const ctlSock = join(dir, 'bird.ctl');
  const include = join(dir, 'halb.conf');
  writeFileSync(join(dir, 'bird.conf'), `router id 192.0.2.2;\nprotocol device {}\ninclude "${include}";\n`);
  writeFileSync(include, 'protocol static halb_vips { ipv4; }\nprotocol static halb_vips6 { ipv6; }\n');
  writeFileSync(join(dir, 'k.conf'), `halb_bgp {
    daemon attach
    control_socket ${ctlSock}
    include_file ${include}
    local_as 65001
    router_id 192.0.2.2
    announce 192.0.2.100
}
virtual_server 192.0.2.100 8080 {
    lb_algo mh
    protocol TCP
    real_server 192.0.2.2 8081 {
    }
}
`);
  ns.run('ip', ['addr', 'add', '192.0.2.100/32', 'dev', 'lo']);
  const bird = ns.run('bird', ['-c', join(dir, 'bird.conf'), '-s', ctlSock, '-P', join(dir, 'bird.pid')]);
  assert.equal(bird.status, 0, bird.stderr);
  const routes = (): string => spawnSync('birdc', ['-s', ctlSock, 'show', 'route'], { encoding: 'utf8' }).stdout;
  const child = spawn('ip', ['netns', 'exec', ns.name, process.execPath, HALB, '-n', '-l', '-f', join(dir, 'k.conf'), '--control-socket', join(dir, 'h.sock'), '--admin-listen', 'off'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
  child.stderr.on('data', (c: Buffer) => { out += c.toString(); });
  try {
    const end = Date.now() + 15_000;
    while (!/192\.0\.2\.100\/32\s+blackhole \[halb_vips/.test(routes())) {
      assert.ok(Date.now() < end, `the site's BIRD never got the VIP:\n${routes()}\n${out}`);
      await pause(200);
    }
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    await exited;
    assert.doesNotMatch(routes(), /192\.0\.2\.100/, 'withdrawn on a clean stop');
    assert.doesNotMatch(readFileSync(include, 'utf8'), /route/);
    assert.match(routes(), /BIRD .* ready/, 'the site\'s BIRD still runs');
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    try {
      process.kill(Number(readFileSync(join(dir, 'bird.pid'), 'utf8').trim()), 'SIGTERM');
    } catch {
      // not started
    }
    ns.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});
