import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkScriptSecurity, pathPrefixes } from '../../../src/check/script-security.js';

const root = { enforce: true, uid: 0, gid: 0 };
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
  const v = checkScriptSecurity(script, root);
  assert.deepEqual(v, { ok: true, path: script, warnings: [] });
});

test('a world-writable directory in the path is refused, naming it and its mode', { skip: !isRoot && 'needs root' }, () => {
  reset();
  chmodSync(dir, 0o777);
  const v = checkScriptSecurity(script, root);
  assert.equal(v.ok, false);
  assert.ok(!v.ok);
  assert.equal(v.problem, 'insecure');
  assert.equal(v.component, dir);
  assert.equal(v.message, `Unsafe permissions found for script '${script}': '${dir}' is writable by everyone (mode 0777)`);
});

test('a world-writable directory with the sticky bit (like /tmp) is allowed', { skip: !isRoot && 'needs root' }, () => {
  reset();
  chmodSync(dir, 0o1777);
  assert.equal(checkScriptSecurity(script, root).ok, true);
});

test('group write is unsafe only when the group is not root', { skip: !isRoot && 'needs root' }, () => {
  reset();
  chmodSync(script, 0o775);
  assert.equal(checkScriptSecurity(script, root).ok, true);
  chownSync(script, 0, 4242);
  const v = checkScriptSecurity(script, root);
  assert.ok(!v.ok);
  assert.equal(v.component, script);
  assert.match(v.message, /is writable by group 4242 \(mode 0775\)$/);
});

test('a script owned by another user, run as root, is refused naming the owner', { skip: !isRoot && 'needs root' }, () => {
  reset();
  chownSync(script, 65534, 65534);
  const v = checkScriptSecurity(script, root);
  assert.ok(!v.ok);
  assert.equal(v.message, `Unsafe permissions found for script '${script}': '${script}' is owned by uid 65534, not root`);
});

test('without enable_script_security the finding is a warning and the script may run', { skip: !isRoot && 'needs root' }, () => {
  reset();
  chmodSync(dir, 0o777);
  const v = checkScriptSecurity(script, { ...root, enforce: false });
  assert.ok(v.ok);
  assert.equal(v.warnings.length, 1);
  assert.match(v.warnings[0] ?? '', /is writable by everyone/);
});

test('a script run as an unprivileged user needs no path protection', { skip: !isRoot && 'needs root' }, () => {
  reset();
  chmodSync(dir, 0o777);
  const v = checkScriptSecurity(script, { enforce: true, uid: 65534, gid: 65534 });
  assert.ok(v.ok);
});

test('not executable for the user, missing, or found by PATH search', () => {
  reset();
  chmodSync(script, 0o644);
  const ne = checkScriptSecurity(script, root);
  assert.ok(!ne.ok && ne.problem === 'not-executable');
  assert.match(ne.message, /is not executable for uid:gid 0:0/);
  const nf = checkScriptSecurity(join(dir, 'nope.sh'), root);
  assert.ok(!nf.ok && nf.problem === 'not-found');
  chmodSync(script, 0o755);
  const bare = checkScriptSecurity('check.sh', { ...root, pathEnv: `/nonexistent:${dir}` });
  assert.ok(bare.ok);
  assert.equal(bare.path, script);
  const missing = checkScriptSecurity('check.sh', { ...root, pathEnv: '/nonexistent' });
  assert.ok(!missing.ok && missing.message === 'Cannot find script check.sh in path');
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
  const v = checkScriptSecurity(join(link, 't.sh'), root);
  assert.ok(v.ok);
  assert.equal(v.path, target);
  const fileLink = join(dir, 'alias.sh');
  symlinkSync(target, fileLink);
  chmodSync(real, 0o777);
  const w = checkScriptSecurity(fileLink, root);
  assert.ok(!w.ok);
  assert.equal(w.component, real);
});
