import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfigText } from '../../../src/config/index.js';
import { hostScripts } from '../../../src/sys/script/runner.js';
import { resolveIdentity } from '../../../src/sys/script/identity.js';

const files = {
  passwd: 'root:x:0:0:root:/root:/bin/bash\nkeepalived_script:x:990:985::/:/usr/sbin/nologin\nwww:x:33:33::/var/www:/usr/sbin/nologin\n',
  group: 'root:x:0:\nwww:x:33:\nops:x:1200:\n',
};
const noKs = { passwd: 'root:x:0:0:root:/root:/bin/bash\n', group: 'root:x:0:\n' };

test('user [group] resolve through passwd and group by name, as getpwnam does', () => {
  assert.deepEqual(resolveIdentity('www', undefined, files), { ok: true, uid: 33, gid: 33, label: 'www' });
  assert.deepEqual(resolveIdentity('www', 'ops', files), { ok: true, uid: 33, gid: 1200, label: 'www:ops' });
  assert.deepEqual(resolveIdentity('0', undefined, files), { ok: false, message: "Script user '0' does not exist" });
  assert.deepEqual(resolveIdentity('nobody2', undefined, files), { ok: false, message: "Script user 'nobody2' does not exist" });
  assert.deepEqual(resolveIdentity('www', 'nogroup', files), { ok: false, message: "Script group 'nogroup' does not exist" });
});

function audit(globals: string, f: typeof files, own = ''): ReturnType<typeof parseConfigText> {
  const text = `global_defs {\n${globals}\n}\nvrrp_script chk {\n  script /bin/true\n${own}\n}\nvrrp_instance VI_1 {\n  interface lo\n  virtual_router_id 1\n  priority 100\n  virtual_ipaddress {\n    192.0.2.1\n  }\n  track_script {\n    chk\n  }\n}\n`;
  return parseConfigText(text, '/k.conf', { scripts: hostScripts({ files: f }) });
}

test('the default user: script_user, else keepalived_script, else the daemon (security off) or nothing (on)', () => {
  assert.equal(audit('  script_user www', files).config.vrrpScripts[0]?.script.run?.uid, 33);
  assert.equal(audit('', files).config.vrrpScripts[0]?.script.run?.label, 'keepalived_script');
  const own = audit('', noKs);
  assert.equal(own.config.vrrpScripts[0]?.script.run?.uid, process.getuid?.() ?? 0);
  assert.ok(own.diagnostics.some((d) => d.security === true && /^SECURITY VIOLATION - scripts are being executed/.test(d.message)));
  const strict = audit('  enable_script_security', noKs);
  assert.equal(strict.config.vrrpScripts.length, 0);
  assert.deepEqual(strict.config.vrrpInstances[0]?.track.scripts, []);
  const said = strict.diagnostics.map((d) => `${d.severity}: ${d.message}`);
  assert.ok(said.includes('error: Unable to set default user keepalived_script for script'), said.join('\n'));
  assert.ok(said.includes('error: Unable to set default user for vrrp script chk - removing'), said.join('\n'));
});

test('a script_user or a script user that does not exist removes the script with keepalived\'s messages', () => {
  const g = audit('  enable_script_security\n  script_user ghost', files);
  assert.equal(g.config.vrrpScripts.length, 0);
  assert.ok(g.diagnostics.some((d) => d.message === 'Error setting global script uid/gid'));
  const o = audit('  enable_script_security', files, '  user ghost');
  assert.equal(o.config.vrrpScripts.length, 0);
  assert.ok(o.diagnostics.some((d) => d.message === "Script user 'ghost' does not exist"));
});

test('CONFIG_SECURITY_ERROR only for scripts that exist: a missing one is not a violation (keepalived -t exits 0)', () => {
  const load = (g: string) => parseConfigText(`global_defs {\n${g}\n}\n`, '/k.conf', { scripts: hostScripts({ files }) });
  const present = load('  startup_script /bin/true');
  assert.deepEqual(present.diagnostics.filter((d) => d.security === true).map((d) => d.message),
    ['SECURITY VIOLATION - start/shutdown scripts are being executed but script_security not enabled.']);
  const missing = load('  startup_script /nonexistent/halb-start.sh');
  assert.deepEqual(missing.diagnostics.filter((d) => d.security === true), []);
  assert.equal(missing.config.global.startupScript, undefined);
});
