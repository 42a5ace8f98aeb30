// Installing as the ecosystem installs: `npm pack` (which builds, writes man/halb.8 from
// --help and prebuilds the addon), then `npm install -g ./halb-*.tgz` into a scratch
// prefix with a PATH that holds node and sh only: no cc, make or python, so nothing can
// be compiled. The installed `halb` answers --version, loads the prebuilt addon, `man`
// finds halb(8) through the prefix's MANPATH, the install script picks the prebuild
// without a compiler, and the installed daemon runs a seeds' config (in a namespace of
// its own, so its checkers reach nothing outside).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, realpathSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { gate, hasProgram, NetNs } from '../helpers/netns.js';
import { makeWorkDir, removeWorkDir, repoRoot, waitUntil } from '../helpers/vrrp-nodes.js';

test('npm pack, then npm install -g of the tarball with no compiler: halb, man halb, the addon, a daemon on a seed config', { timeout: 600_000 }, async (t) => {
  if (!gate(t, 'npm pack and install', ['npm'])) return;
  const root = repoRoot();
  const dir = makeWorkDir('pack');
  let ns: NetNs | undefined;
  let daemon: ReturnType<typeof spawn> | undefined;
  try {
    const pack = spawnSync('npm', ['pack', '--pack-destination', dir], { cwd: root, encoding: 'utf8', timeout: 480_000 });
    assert.equal(pack.status, 0, `${pack.stderr}`);
    const tgz = readdirSync(dir).find((f) => /^halb-.*\.tgz$/.test(f));
    assert.ok(tgz !== undefined, readdirSync(dir).join(' '));
    assert.match(pack.stderr, /native\/prebuilds\/linux-x64\/halb_net\.node/, 'the prebuilt addon is in the tarball');
    assert.match(pack.stderr, /man\/halb\.8/);

    // A PATH with node and sh only.
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    symlinkSync(process.execPath, join(bin, 'node'));
    symlinkSync('/bin/sh', join(bin, 'sh'));
    for (const cc of ['cc', 'gcc', 'c++', 'g++', 'make', 'python3']) {
      assert.notEqual(spawnSync('sh', ['-c', `command -v ${cc}`], { env: { PATH: bin } }).status, 0, `${cc} is not on the PATH`);
    }
    const npmCli = join(realpathSync(spawnSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).stdout.trim()), '..', '..', 'bin', 'npm-cli.js');
    const npmJs = existsSync(npmCli) ? npmCli : '/usr/lib/node_modules/npm/bin/npm-cli.js';
    const prefix = join(dir, 'prefix');
    const env = { ...process.env, PATH: bin };
    const inst = spawnSync(process.execPath, [npmJs, 'install', '-g', '--prefix', prefix, join(dir, tgz)], { cwd: dir, env, encoding: 'utf8', timeout: 300_000 });
    assert.equal(inst.status, 0, `${inst.stdout}${inst.stderr}`);

    const halb = join(prefix, 'bin', 'halb');
    const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
    const v = spawnSync(halb, ['--version'], { env, encoding: 'utf8' });
    assert.equal(v.stdout.trim(), version, v.stderr);

    const pkgDir = join(prefix, 'lib', 'node_modules', 'halb');
    const addon = spawnSync(process.execPath, ['-e', `console.log(require(${JSON.stringify(join(pkgDir, 'node_modules', 'node-gyp-build'))}).path(${JSON.stringify(join(pkgDir, 'native'))}))`], { env, encoding: 'utf8' });
    assert.match(addon.stdout.trim(), /native\/prebuilds\/linux-x64\/halb_net\.node$/, addon.stderr);
    // npm 11 holds back install scripts unless allowed; run ours as npm 10 would: the prebuild, no compiler.
    const script = spawnSync(process.execPath, [join(pkgDir, 'scripts', 'install-native.mjs')], { env, encoding: 'utf8' });
    assert.equal(script.status, 0, `${script.stdout}${script.stderr}`);
    assert.match(script.stdout, /halb: native addon prebuilds\/linux-x64\/halb_net\.node/);

    assert.ok(existsSync(join(prefix, 'share', 'man', 'man8', 'halb.8')), 'npm linked the man page into the prefix');
    if (hasProgram('man')) {
      const m = spawnSync('man', ['-w', 'halb'], { env: { ...process.env, MANPATH: join(prefix, 'share', 'man') }, encoding: 'utf8' });
      assert.equal(m.status, 0, m.stderr);
      const page = spawnSync('man', ['-P', 'cat', '-l', m.stdout.trim()], { env: { ...process.env, MANWIDTH: '200' }, encoding: 'utf8' }).stdout;
      assert.match(page, /HALB\(8\)/);
      // The page is --help's text: every root option is in it.
      const help = spawnSync(halb, ['--help'], { env, encoding: 'utf8' }).stdout;
      for (const opt of help.matchAll(/^ {2}(-\w, )?(--[\w-]+)/gm)) assert.ok(page.includes(opt[2] ?? '?'), `${opt[2]} in the man page`);
    }

    if (!gate(t, 'the installed daemon on a seed config', ['ip'])) return;
    ns = NetNs.create('pack', []);
    const seed = join(root, 'test', 'fixtures', 'config', 'seeds', '002-dir1.conf');
    const sock = join(dir, 'halb.sock');
    let out = '';
    const ipBin = spawnSync('sh', ['-c', 'command -v ip'], { encoding: 'utf8' }).stdout.trim();
    daemon = spawn(ipBin, ['netns', 'exec', ns.name, halb, '-n', '-l', '-C', '-f', seed, '--control-socket', sock, '--admin-listen', 'off', '--workers', '0'],
      { env, stdio: ['ignore', 'pipe', 'pipe'] });
    daemon.stdout?.on('data', (b: Buffer) => { out += b.toString(); });
    daemon.stderr?.on('data', (b: Buffer) => { out += b.toString(); });
    assert.ok(await waitUntil(() => /Starting halb: 1 config file/.test(out), 15_000), out);
    const list = spawnSync(halb, ['ctl', '--control-socket', sock, 'list', '-n'], { env, encoding: 'utf8' });
    assert.match(list.stdout, /^TCP {2}172\.16\.100\.22:80 rr$/m, `${list.stdout}${list.stderr}\n${out}`);
  } finally {
    if (daemon?.pid !== undefined && daemon.exitCode === null) daemon.kill('SIGKILL');
    ns?.destroy();
    removeWorkDir(dir);
  }
});
