import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultIdentity, resolveIdentity, scriptIdentity } from '../../../src/check/script-user.js';

const files = {
  passwd: 'root:x:0:0:root:/root:/bin/bash\nkeepalived_script:x:990:985::/:/usr/sbin/nologin\nwww:x:33:33::/var/www:/usr/sbin/nologin\n',
  group: 'root:x:0:\nwww:x:33:\nops:x:1200:\n',
};

test('user [group] resolve through passwd and group; numbers pass through', () => {
  assert.deepEqual(resolveIdentity('www', undefined, files), { ok: true, id: { uid: 33, gid: 33, label: 'www' } });
  assert.deepEqual(resolveIdentity('www', 'ops', files), { ok: true, id: { uid: 33, gid: 1200, label: 'www:ops' } });
  assert.deepEqual(resolveIdentity('1234', '55', files), { ok: true, id: { uid: 1234, gid: 55, label: '1234:55' } });
  assert.deepEqual(resolveIdentity('nobody2', undefined, files), { ok: false, error: "Script user 'nobody2' does not exist" });
  assert.deepEqual(resolveIdentity('www', 'nogroup', files), { ok: false, error: "Script group 'nogroup' does not exist" });
});

test('the default is script_user, else keepalived_script, else the daemon user', () => {
  assert.deepEqual(defaultIdentity({ files, scriptUser: { user: 'www' } }), { ok: true, id: { uid: 33, gid: 33, label: 'www' } });
  assert.deepEqual(defaultIdentity({ files }), { ok: true, id: { uid: 990, gid: 985, label: 'keepalived_script' } });
  const own = defaultIdentity({ files: { passwd: '', group: '' } });
  assert.ok(own.ok && own.id.uid === (process.getuid?.() ?? 0));
  assert.deepEqual(scriptIdentity({ user: 'root' }, { files }), { ok: true, id: { uid: 0, gid: 0, label: 'root' } });
});
