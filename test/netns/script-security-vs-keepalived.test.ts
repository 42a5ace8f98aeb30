// keepalived's script security, case by case, beside keepalived 2.2.7: for each case the
// verdict of `keepalived -t` and `halb -t` (same exit status), and at run time whether
// the script ran (it touches a marker file) under keepalived and under the halb daemon,
// inside a fresh namespace. Every case runs as root with enable_script_security (and
// script_user root, except the case of a script_user that does not exist). MISC_CHECK
// rows compare the -t verdict only for keepalived: its checker process needs IPVS, which
// this kernel lacks (keepalived then stops), so only halb's run time is observed there.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NetNs, gate, netnsUnavailable } from '../helpers/netns.js';
import { VrrpNode, repoRoot, sleep, waitUntil } from '../helpers/vrrp-nodes.js';

interface Case {
  readonly name: string;
  /** vrrp_script / notify_master / MISC_CHECK. */
  readonly kind: 'track' | 'notify' | 'misc';
  /** The script as written in the config. */
  readonly script: string;
  readonly runs: boolean;
  /** Group B: global_defs script_user names a user that does not exist. */
  readonly ghostUser?: boolean;
}

let base = '';
let ns: NetNs | undefined;
const cli = join(repoRoot(), 'dist', 'src', 'cli', 'main.js');

function marker(name: string): string {
  return join(base, 'marks', name);
}

function script(path: string, name: string, mode: number, uid = 0, gid = 0): void {
  writeFileSync(path, `#!/bin/sh\ntouch '${marker(name)}'\nexit 0\n`);
  chmodSync(path, mode);
  chownSync(path, uid, gid);
}

function dir(path: string, mode: number, gid = 0): string {
  mkdirSync(path, { recursive: true });
  chmodSync(path, mode);
  chownSync(path, 0, gid);
  return path;
}

const CASES = (): Case[] => [
  { name: 'group-writable', kind: 'track', script: join(base, 'safe', 'group-writable.sh'), runs: false },
  { name: 'other-writable', kind: 'track', script: join(base, 'safe', 'other-writable.sh'), runs: false },
  { name: 'parent-dir-writable', kind: 'track', script: join(base, 'gw', 'parent-dir-writable.sh'), runs: false },
  { name: 'world-writable', kind: 'track', script: join(base, 'ww', 'world-writable.sh'), runs: false },
  { name: 'non-root-owner', kind: 'track', script: join(base, 'safe', 'non-root-owner.sh'), runs: false },
  { name: 'symlink-to-unsafe', kind: 'track', script: join(base, 'safe', 'symlink-to-unsafe.sh'), runs: false },
  { name: 'relative-path', kind: 'track', script: 'relative-path.sh', runs: false },
  { name: 'missing', kind: 'track', script: join(base, 'safe', 'missing.sh'), runs: false },
  { name: 'not-executable', kind: 'track', script: join(base, 'safe', 'not-executable.sh'), runs: false },
  { name: 'script-user-missing', kind: 'track', script: join(base, 'safe', 'script-user-missing.sh'), runs: false, ghostUser: true },
  { name: 'safe', kind: 'track', script: join(base, 'safe', 'safe.sh'), runs: true },
  { name: 'notify-master-unsafe', kind: 'notify', script: join(base, 'ww', 'notify-master-unsafe.sh'), runs: false },
  { name: 'notify-master-safe', kind: 'notify', script: join(base, 'safe', 'notify-master-safe.sh'), runs: true },
  { name: 'misc-unsafe', kind: 'misc', script: join(base, 'ww', 'misc-unsafe.sh'), runs: false },
  { name: 'misc-safe', kind: 'misc', script: join(base, 'safe', 'misc-safe.sh'), runs: true },
];

function setup(): void {
  base = mkdtempSync('/tmp/halb-scriptsec-');
  dir(base, 0o755);
  dir(join(base, 'marks'), 0o777);
  const safe = dir(join(base, 'safe'), 0o755);
  const ww = dir(join(base, 'ww'), 0o777);
  const gw = dir(join(base, 'gw'), 0o775, 4242);
  script(join(safe, 'group-writable.sh'), 'group-writable', 0o775, 0, 4242);
  script(join(safe, 'other-writable.sh'), 'other-writable', 0o757);
  script(join(gw, 'parent-dir-writable.sh'), 'parent-dir-writable', 0o755);
  script(join(ww, 'world-writable.sh'), 'world-writable', 0o777);
  script(join(safe, 'non-root-owner.sh'), 'non-root-owner', 0o755, 65534, 65534);
  script(join(ww, 'symlink-target.sh'), 'symlink-to-unsafe', 0o755);
  symlinkSync(join(ww, 'symlink-target.sh'), join(safe, 'symlink-to-unsafe.sh'));
  script(join(base, 'relative-path.sh'), 'relative-path', 0o755);
  script(join(safe, 'not-executable.sh'), 'not-executable', 0o644);
  script(join(safe, 'script-user-missing.sh'), 'script-user-missing', 0o755);
  script(join(safe, 'safe.sh'), 'safe', 0o755);
  script(join(ww, 'notify-master-unsafe.sh'), 'notify-master-unsafe', 0o755);
  script(join(safe, 'notify-master-safe.sh'), 'notify-master-safe', 0o755);
  script(join(ww, 'misc-unsafe.sh'), 'misc-unsafe', 0o755);
  script(join(safe, 'misc-safe.sh'), 'misc-safe', 0o755);
}

function globals(ghost: boolean): string {
  return `global_defs {\n  enable_script_security\n  script_user ${ghost ? 'halb-no-such-user' : 'root'}\n}\n`;
}

function instance(tracks: readonly string[], notify?: string): string {
  return `vrrp_instance VI_1 {\n  state MASTER\n  interface kv0\n  virtual_router_id 61\n  priority 100\n  advert_int 1\n`
    + `  virtual_ipaddress {\n    192.0.2.61/24\n  }\n`
    + (tracks.length > 0 ? `  track_script {\n${tracks.map((t) => `    ${t}\n`).join('')}  }\n` : '')
    + (notify !== undefined ? `  notify_master "${notify}"\n` : '') + '}\n';
}

function trackBlock(c: Case): string {
  return `vrrp_script ${c.name} {\n  script "${c.script}"\n  interval 1\n}\n`;
}

function miscBlock(cases: readonly Case[]): string {
  return `virtual_server 192.0.2.2 8061 {\n  delay_loop 1\n  lb_algo rr\n  lb_kind NAT\n  protocol TCP\n`
    + cases.map((c, i) => `  real_server 192.0.2.${10 + i} 8061 {\n    MISC_CHECK {\n      misc_path "${c.script}"\n    }\n  }\n`).join('') + '}\n';
}

/** One case alone, for the -t verdicts. */
function caseConfig(c: Case): string {
  if (c.kind === 'track') return globals(c.ghostUser === true) + trackBlock(c) + instance([c.name]);
  if (c.kind === 'notify') return globals(false) + instance([], c.script);
  return globals(false) + instance([]) + miscBlock([c]);
}

/** Every case of one group in one config, for the run-time comparison. */
function runConfig(cases: readonly Case[], withMisc: boolean): string {
  const tracks = cases.filter((c) => c.kind === 'track');
  const notify = cases.filter((c) => c.kind === 'notify');
  let text = globals(cases.some((c) => c.ghostUser === true)) + tracks.map(trackBlock).join('');
  // One notify_master per instance: a second instance for the second notify case.
  text += instance(tracks.map((c) => c.name), notify[0]?.script);
  if (notify[1] !== undefined) text += instance([], notify[1].script).replace('VI_1', 'VI_2').replace('virtual_router_id 61', 'virtual_router_id 62').replace('192.0.2.61/24', '192.0.2.62/24');
  if (withMisc) text += miscBlock(cases.filter((c) => c.kind === 'misc'));
  return text;
}

interface CheckVerdict { exit: number; text: string }

function check(prog: 'keepalived' | 'halb', file: string): CheckVerdict {
  const n = ns as NetNs;
  const r = prog === 'keepalived'
    ? n.run('keepalived', ['-t', '-f', file], { cwd: base, timeoutMs: 20_000 })
    : n.run(process.execPath, [cli, '-t', '-f', file], { cwd: base, timeoutMs: 30_000 });
  return { exit: r.status ?? 128, text: `${r.stdout}${r.stderr}` };
}

function clearMarks(): void {
  rmSync(join(base, 'marks'), { recursive: true, force: true });
  dir(join(base, 'marks'), 0o777);
}

/** Run one daemon on the group's config; which markers appeared. */
async function ran(kind: 'keepalived' | 'halb', cases: readonly Case[]): Promise<Map<string, boolean>> {
  clearMarks();
  const n = ns as NetNs;
  const node = kind === 'keepalived'
    ? VrrpNode.keepalived(n, base, `k-${cases.length}`, runConfig(cases, false))
    : VrrpNode.halbDaemon(n, base, `h-${cases.length}`, runConfig(cases, true), ['--admin-listen', 'off']);
  try {
    const expected = cases.filter((c) => c.runs && (kind === 'halb' || c.kind !== 'misc'));
    // The scripts that should run show within a few intervals; the rest get as long again.
    await waitUntil(() => expected.every((c) => existsSync(marker(c.name))), 10_000, 100);
    await sleep(2500);
  } finally {
    await node.stop();
  }
  return new Map(cases.map((c) => [c.name, existsSync(marker(c.name))]));
}

before(() => {
  if (netnsUnavailable(['keepalived']) !== undefined) return;
  setup();
  ns = NetNs.create('scriptsec', [{ name: 'kv0', peer: 'kv0p', addresses: ['192.0.2.2/24'] }]);
});

after(() => {
  ns?.destroy();
  if (base !== '') rmSync(base, { recursive: true, force: true });
});

test('script security: halb -t and the halb daemon agree with keepalived 2.2.7 case by case', async (t) => {
  if (!gate(t, 'script security vs keepalived', ['keepalived'])) return;
  assert.ok(existsSync(cli), `${cli} is missing: build first`);
  const cases = CASES();
  assert.ok(cases.length >= 12);
  const rows: string[] = [];
  // -t, one config per case.
  for (const c of cases) {
    const file = join(base, `case-${c.name}.conf`);
    writeFileSync(file, caseConfig(c));
    const k = check('keepalived', file);
    const h = check('halb', file);
    rows.push(`${c.name.padEnd(22)} -t keepalived ${k.exit} halb ${h.exit}`);
    assert.equal(h.exit, k.exit, `${c.name}: -t exit differs\nkeepalived:\n${k.text}\nhalb:\n${h.text}`);
    if (c.name === 'world-writable') {
      assert.notEqual(h.exit, 0);
      assert.match(h.text, new RegExp(`Unsafe permissions found for script '${c.script}' - disabling: '${join(base, 'ww')}' is writable by everyone \\(mode 0777\\)`));
      assert.match(h.text, /Disabling track script world-writable due to insecure/);
    }
  }
  // Run time, per group of globals.
  for (const group of [cases.filter((c) => c.ghostUser !== true), cases.filter((c) => c.ghostUser === true)]) {
    const k = await ran('keepalived', group);
    const h = await ran('halb', group);
    for (const c of group) {
      const kr = c.kind === 'misc' ? 'n/a' : String(k.get(c.name));
      rows.push(`${c.name.padEnd(22)} ran: keepalived ${kr} halb ${String(h.get(c.name))} (expected ${String(c.runs)})`);
      if (c.kind !== 'misc') assert.equal(k.get(c.name), c.runs, `${c.name}: keepalived ${c.runs ? 'did not run' : 'ran'} it`);
      assert.equal(h.get(c.name), c.runs, `${c.name}: halb ${c.runs ? 'did not run' : 'ran'} it`);
    }
  }
  for (const r of rows) t.diagnostic(r);
});
