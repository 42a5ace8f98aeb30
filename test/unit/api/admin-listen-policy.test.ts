// Who may reach the admin API: listen addresses, the token rule for non-loopback
// addresses, the bearer check, and the Host check that stops DNS rebinding.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  bearerMatches, checkListenPolicy, DEFAULT_ADMIN_LISTEN, hostHeaderAllowed, isLoopback, parseListen, readTokenFile,
} from '../../../src/api/admin-listen.js';

test('listen specs: ADDR:PORT, [IPv6]:PORT, off; bad ones are usage errors', () => {
  assert.deepEqual(parseListen('127.0.0.1:9480'), { host: '127.0.0.1', port: 9480 });
  assert.deepEqual(parseListen('[::1]:80'), { host: '::1', port: 80 });
  assert.deepEqual(parseListen('localhost:0'), { host: 'localhost', port: 0 });
  assert.equal(parseListen('off'), null);
  assert.deepEqual(parseListen(DEFAULT_ADMIN_LISTEN), { host: '127.0.0.1', port: 9480 });
  for (const bad of ['9480', '127.0.0.1', '127.0.0.1:70000', 'example.com:80', '::1:80', '[::1]', '']) {
    assert.throws(() => parseListen(bad), { code: 'HALB_ERR_USAGE' }, bad);
  }
});

test('loopback is 127/8, ::1, ::ffff:127.x and localhost; the rest needs a token', () => {
  for (const h of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1', 'localhost']) assert.equal(isLoopback(h), true, h);
  for (const h of ['0.0.0.0', '::', '192.0.2.1', '2001:db8::1', '128.0.0.1']) assert.equal(isLoopback(h), false, h);
  assert.throws(() => checkListenPolicy({ host: '0.0.0.0', port: 9480 }, undefined), /without a token/);
  assert.throws(() => checkListenPolicy({ host: '192.0.2.1', port: 9480 }, undefined), /--admin-token-file/);
  assert.doesNotThrow(() => checkListenPolicy({ host: '0.0.0.0', port: 9480 }, 'x'.repeat(20)));
  assert.doesNotThrow(() => checkListenPolicy({ host: '127.0.0.1', port: 9480 }, undefined));
});

test('the bearer check wants the exact token', () => {
  const token = 'abcdefghijklmnopqrstuvwxyz';
  assert.equal(bearerMatches(`Bearer ${token}`, token), true);
  assert.equal(bearerMatches(`bearer ${token}`, token), true, 'the scheme is case-insensitive');
  for (const h of [undefined, '', token, `Basic ${token}`, `Bearer ${token}x`, `Bearer ${token.slice(1)}`, 'Bearer ', `Bearer ${token} extra`]) {
    assert.equal(bearerMatches(h, token), false, String(h));
  }
});

test('without a token, Host must be an address or localhost (no DNS rebinding)', () => {
  for (const h of [undefined, '127.0.0.1:9480', '127.0.0.1', 'localhost:9480', '[::1]:9480', '[::1]']) assert.equal(hostHeaderAllowed(h), true, String(h));
  for (const h of ['evil.example', 'evil.example:9480', 'localhost.evil.example:80', '[::1', '']) assert.equal(hostHeaderAllowed(h), false, h);
});

test('token files: first line trimmed, at least 16 characters, a warning when others can read it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'halb-token-'));
  try {
    const f = join(dir, 't');
    writeFileSync(f, '  0123456789abcdefXYZ  \nsecond line\n');
    chmodSync(f, 0o600);
    assert.deepEqual(readTokenFile(f), { token: '0123456789abcdefXYZ' });
    chmodSync(f, 0o644);
    assert.match(readTokenFile(f).warning ?? '', /readable by group or others \(mode 644\)/);
    writeFileSync(f, 'short\n');
    assert.throws(() => readTokenFile(f), /at least 16 characters/);
    assert.throws(() => readTokenFile(join(dir, 'missing')), { code: 'HALB_ERR_USAGE' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
