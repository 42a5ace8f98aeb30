import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SC } from '../../../src/config/host.js';
import { checkScriptSecure, pathPrefixes } from '../../../src/sys/script/security.js';

/** As root with enable_script_security (or without: `enforce` false). */
const check = (p: string, enforce = true, uid = 0, gid = 0, pathEnv?: string) => checkScriptSecure(p, uid, gid, enforce, pathEnv !== undefined ? { pathEnv } : {});
const runs = (flags: number): boolean => (flags & (SC.INHIBIT | SC.NOTFOUND)) === 0 && (flags & SC.EXECUTABLE) !== 0;
let dir = '';
let script = '';
const isRoot = process.getuid?.() === 0;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'halb-sec-'));
  chmodSync(dir, 0o755);
  script = join(dir, 'check.sh');
  writeFileSync(script, '#!/bin/sh\nexit 0\n');
  chmodSync(script, 0o755);
});

after(() => rmSync(dir, { recursive: true, force: true }));

function reset(): void {
  chmodSync(dir, 0o755);
  chmodSync(script, 0o755);
  if (isRoot) {
    chownSync(dir, 0, 0);
    chownSync(script, 0, 0);
  }
}

test('path prefixes are checked from / down', () => {
  assert.deepEqual(pathPrefixes('/a/b/c.sh'), ['/', '/a', '/a/b', '/a/b/c.sh']);
  assert.deepEqual(pathPrefixes('//a///b'), ['/', '/a', '/a/b']);
});

test('a root-owned script in root-owned directories is accepted', { skip: !isRoot && 'needs root to own the files' }, () => {
  reset();
  assert.deepEqual(check(script), { flags: SC.ISSCRIPT | SC.EXECUTABLE, path: script, messages: [], viaShell: false });
});

test('a world-writable directory in the path is refused, naming it and its mode', { skip: !isRoot && 'needs root' }, () => {
  reset();
  chmodSync(dir, 0o777);
  const v = check(script);
  assert.equal(v.flags & (SC.INSECURE | SC.INHIBIT), SC.INSECURE | SC.INHIBIT);
  assert.deepEqual(v.messages, [`Unsafe permissions found for script '${script}' - disabling: '${dir}' is writable by everyone (mode 0777).`]);
});

test('a world-writable directory with the sticky bit (like /tmp) is allowed', { skip: !isRoot && 'needs root' }, () => {
  reset();
  chmodSync(dir, 0o1777);
  assert.ok(runs(check(script).flags));
});

test('group write is unsafe only when the group is not root', { skip: !isRoot && 'needs root' }, () => {
  reset();
  chmodSync(script, 0o775);
  assert.ok(runs(check(script).flags));
  chownSync(script, 0, 4242);
  const v = check(script);
  assert.ok(!runs(v.flags));
  assert.match(v.messages[0] ?? '', new RegExp(`: '${script}' is writable by group 4242 \\(mode 0775\\)\\.$`));
});

test('a script owned by another user, run as root, is refused naming the owner', { skip: !isRoot && 'needs root' }, () => {
  reset();
  chownSync(script, 65534, 65534);
  const v = check(script);
  assert.ok(!runs(v.flags));
  assert.deepEqual(v.messages, [`Unsafe permissions found for script '${script}' - disabling: '${script}' is owned by uid 65534, not root.`]);
});

test('without enable_script_security the finding is flagged and the script may run', { skip: !isRoot && 'needs root' }, () => {
  reset();
  chmodSync(dir, 0o777);
  const v = check(script, false);
  assert.ok(runs(v.flags));
  assert.equal(v.flags & SC.INSECURE, SC.INSECURE);
  assert.match(v.messages[0] ?? '', /^Unsafe permissions found for script '[^']+': '.*' is writable by everyone/);
});

test('a script run as an unprivileged user needs no path protection', { skip: !isRoot && 'needs root' }, () => {
  reset();
  chmodSync(dir, 0o777);
  assert.ok(runs(check(script, true, 65534, 65534).flags));
});

test('not executable for the user, missing, or found by PATH search', () => {
  reset();
  chmodSync(script, 0o644);
  const ne = check(script);
  assert.equal(ne.flags, SC.ISSCRIPT);
  assert.match(ne.messages[0] ?? '', /is not executable for uid:gid 0:0 - disabling\.$/);
  const nf = check(join(dir, 'nope.sh'));
  assert.equal(nf.flags, SC.NOTFOUND);
  chmodSync(script, 0o755);
  const bare = check('check.sh', true, 0, 0, `/nonexistent:${dir}`);
  assert.equal(bare.path, script);
  assert.match(bare.messages[0] ?? '', /resolved by path search/);
  const missing = check('check.sh', true, 0, 0, '/nonexistent');
  assert.deepEqual(missing.messages, ['Cannot find script check.sh in path - disabling']);
});

test('a symlinked directory is resolved; an unsafe link target is still found', { skip: !isRoot && 'needs root' }, () => {
  reset();
  const real = join(dir, 'real');
  mkdirSync(real, { recursive: true });
  const target = join(real, 't.sh');
  writeFileSync(target, '#!/bin/sh\n');
  chmodSync(target, 0o755);
  const link = join(dir, 'link');
  symlinkSync(real, link);
  const v = check(join(link, 't.sh'));
  assert.ok(runs(v.flags));
  assert.equal(v.path, target);
  const fileLink = join(dir, 'alias.sh');
  symlinkSync(target, fileLink);
  chmodSync(real, 0o777);
  const w = check(fileLink);
  assert.ok(!runs(w.flags));
  assert.match(w.messages[0] ?? '', new RegExp(`: '${real}' is writable by everyone`));
});
