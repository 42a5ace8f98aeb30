// The SIGUSR1 data file and the SIGUSR2 stats file, byte for byte against keepalived
// 2.2.7: the same keepalived.conf runs under `keepalived -P` and `halb -P`, each in its
// own LAN namespace and its own mount namespace whose /tmp is a scratch directory (so
// both write keepalived's default /tmp/keepalived.data, which 2.2.7 cannot move). Both get
// SIGUSR1 and SIGUSR2; every line halb writes in an instance's block must appear, in the
// same order, in keepalived's block for that instance once values that must differ are
// masked: times (checked for keepalived's shape first), counters and link-local addresses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Lan } from '../helpers/lan.js';
import { gate } from '../helpers/netns.js';
import { makeWorkDir, removeWorkDir, repoRoot, sleep, waitUntil } from '../helpers/vrrp-nodes.js';

const CONF = `global_defs {
  router_id dump_cmp
}
vrrp_script chk_ok {
  script "/bin/true"
  interval 1
  weight 10
}
vrrp_sync_group G1 {
  group {
    VI_1
    VI_3
  }
}
vrrp_instance VI_1 {
  state MASTER
  interface eth0
  virtual_router_id 51
  priority 100
  advert_int 1
  authentication {
    auth_type PASS
    auth_pass secret1
  }
  virtual_ipaddress {
    192.0.2.100/24 dev eth0
    192.0.2.101/24 dev eth0 label eth0:1
  }
  track_script {
    chk_ok
  }
}
vrrp_instance VI_2 {
  state BACKUP
  interface eth0
  virtual_router_id 52
  priority 50
  advert_int 1
  nopreempt
  version 3
  virtual_ipaddress {
    2001:db8::100/64 dev eth0
  }
}
vrrp_instance VI_3 {
  state BACKUP
  interface eth0
  virtual_router_id 53
  priority 90
  advert_int 2
  unicast_src_ip 192.0.2.1
  unicast_peer {
    192.0.2.9
  }
  virtual_ipaddress {
    192.0.2.103/32 dev eth0
  }
}
`;

/** One daemon in namespace `ns` whose /tmp is `dir`; `argv` runs there. */
function inPrivateTmp(ns: string, dir: string, argv: readonly string[]): ChildProcess {
  // A checkout under /tmp (a CI clone) must stay visible under the scratch /tmp: bind it
  // into the scratch directory first, then bind the scratch directory with its submounts.
  const repo = repoRoot();
  const binds = repo.startsWith('/tmp/') ? `mkdir -p '${dir}${repo.slice(4)}' && mount --bind '${repo}' '${dir}${repo.slice(4)}' && ` : '';
  const cmd = `${binds}mount --rbind '${dir}' /tmp && exec ${argv.map((a) => `'${a}'`).join(' ')}`;
  return spawn('ip', ['netns', 'exec', ns, 'unshare', '-m', '--propagation', 'private', 'sh', '-c', cmd],
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
}

const TIME = /(\d+)\.(\d{6}) \((\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d)\.(\d{6}) (\d{4})\)$/;

/** Mask what must differ; a time must have keepalived's shape and agree with itself. */
function mask(line: string): string {
  const m = TIME.exec(line);
  if (m !== null) {
    assert.equal(m[2], m[4], `microseconds agree in ${line}`);
    return line.replace(TIME, '<time>');
  }
  // Each namespace's eth0 has its own MAC, so its own link-local address.
  return line.replace(/: \d+$/, ': <n>').replace(/fe80::[\da-f:]+/, '<link-local>');
}

/** The blocks of one section: the header line, then the indented lines up to the next header. */
function blocks(text: string, section: string, header: RegExp): Map<string, string[]> {
  const lines = text.split('\n');
  const start = lines.indexOf(`------< ${section} >------`);
  const out = new Map<string, string[]>();
  if (start < 0) return out;
  let cur: string[] | undefined;
  for (const l of lines.slice(start + 1)) {
    if (l.startsWith('------<')) break;
    if (l === '') continue;
    const h = header.exec(l);
    if (h !== null) out.set(h[1] ?? '', (cur = [l]));
    else cur?.push(mask(l));
  }
  return out;
}

/** Every line of `ours` appears in `theirs`, in order. */
function assertSubsequence(ours: readonly string[], theirs: readonly string[], what: string): void {
  let j = 0;
  for (const l of ours) {
    while (j < theirs.length && theirs[j] !== l) j++;
    assert.ok(j < theirs.length, `${what}: halb's line ${JSON.stringify(l)} is not in keepalived's block (in order):\n${theirs.join('\n')}\nhalb:\n${ours.join('\n')}`);
    j++;
  }
}

test('SIGUSR1/SIGUSR2 dumps: every line halb writes is keepalived 2.2.7\'s line', { timeout: 60_000 }, async (t) => {
  if (!gate(t, 'dump comparison with keepalived', ['keepalived', 'unshare'])) return;
  const lanK = Lan.create('dmk', [{ name: 'h', addresses: ['192.0.2.1/24', '2001:db8::1/64'] }]);
  const lanH = Lan.create('dmh', [{ name: 'h', addresses: ['192.0.2.1/24', '2001:db8::1/64'] }]);
  const dir = makeWorkDir('dump');
  const kaDir = join(dir, 'ka');
  const hDir = join(dir, 'halb');
  const procs: ChildProcess[] = [];
  const out = new Map<string, string>();
  const keep = (name: string, c: ChildProcess): void => {
    out.set(name, '');
    const add = (b: Buffer): void => { out.set(name, `${out.get(name) ?? ''}${b.toString('utf8')}`); };
    c.stdout?.on('data', add);
    c.stderr?.on('data', add);
  };
  try {
    for (const d of [kaDir, hDir]) {
      mkdirSync(d);
      writeFileSync(join(d, 'keepalived.conf'), CONF);
    }
    const ka = inPrivateTmp(lanK.ns('h').name, kaDir, ['keepalived', '-n', '-l', '-D', '-P', '-f', '/tmp/keepalived.conf',
      '-p', '/tmp/ka.pid', '-r', '/tmp/ka-vrrp.pid', '-c', '/tmp/ka-check.pid']);
    procs.push(ka);
    keep('keepalived', ka);
    const halb = inPrivateTmp(lanH.ns('h').name, hDir, [process.execPath, join(repoRoot(), 'dist', 'src', 'cli', 'main.js'),
      '-n', '-l', '-P', '-f', '/tmp/keepalived.conf', '--control-socket', '/tmp/halb.sock']);
    procs.push(halb);
    keep('halb', halb);
    // VI_1 and VI_3 (sync group) MASTER at once; VI_2 after its Master_Down_Interval (~3.8 s).
    const settled = (name: string): boolean => (out.get(name)?.match(/Entering MASTER STATE/g) ?? []).length >= 3;
    assert.ok(await waitUntil(() => settled('keepalived') && settled('halb'), 15_000),
      `not all MASTER\n${out.get('keepalived') ?? ''}\n${out.get('halb') ?? ''}`);
    await sleep(500);
    for (const c of [ka, halb]) {
      c.kill('SIGUSR1');
      c.kill('SIGUSR2');
    }
    const files = (d: string): string[] => [join(d, 'keepalived.data'), join(d, 'keepalived.stats')];
    assert.ok(await waitUntil(() => [...files(kaDir), ...files(hDir)].every(existsSync), 5000),
      `dumps missing\n${out.get('halb') ?? ''}`);
    await sleep(300);
    const [kData, kStats] = files(kaDir).map((f) => readFileSync(f, 'utf8'));
    const [hData, hStats] = files(hDir).map((f) => readFileSync(f, 'utf8'));

    const kInst = blocks(kData ?? '', 'VRRP Topology', /^ VRRP Instance = (\S+)$/);
    const hInst = blocks(hData ?? '', 'VRRP Topology', /^ VRRP Instance = (\S+)$/);
    assert.deepEqual([...hInst.keys()], ['VI_1', 'VI_2', 'VI_3']);
    assert.deepEqual([...hInst.keys()], [...kInst.keys()]);
    for (const [name, lines] of hInst) {
      assertSubsequence(lines, kInst.get(name) ?? [], name);
      t.diagnostic(`${name}: ${lines.length} of keepalived's ${kInst.get(name)?.length ?? 0} lines`);
    }
    assert.ok(hInst.get('VI_1')?.includes('   Last transition = <time>'), 'the transition time is written');
    const kGroups = blocks(kData ?? '', 'VRRP Sync groups', /^ VRRP Sync Group = (\S+), \w+$/);
    const hGroups = blocks(hData ?? '', 'VRRP Sync groups', /^ VRRP Sync Group = (\S+), \w+$/);
    assert.deepEqual([...hGroups.keys()], ['G1']);
    assertSubsequence(hGroups.get('G1') ?? [], kGroups.get('G1') ?? [], 'G1');
    assert.equal(hGroups.get('G1')?.[0], kGroups.get('G1')?.[0]);

    // The stats file: the same lines exactly, counters masked.
    const norm = (s: string): string => s.split('\n').map(mask).join('\n');
    assert.equal(norm(hStats ?? ''), norm(kStats ?? ''));
  } finally {
    for (const c of procs) {
      if (c.pid !== undefined && c.exitCode === null) {
        try {
          process.kill(-c.pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
    }
    await sleep(300);
    lanK.destroy();
    lanH.destroy();
    removeWorkDir(dir);
  }
});
