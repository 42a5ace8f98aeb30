// The notify FIFOs a config opens and the lines written into them, as keepalived 2.2.7
// writes them (vrrp_notify.c notify_fifo, ipwrapper.c notify_fifo_vs/_rs), with its
// rules for FIFOs named twice (global_data.c) and for each FIFO's owner (global_parser.c).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfigText } from '../../../src/config/index.js';
import { SC, type ScriptHost } from '../../../src/config/host.js';
import {
  groupLine, instanceLine, planFifos, realServerLine, virtualServerLine,
} from '../../../src/notify/fifo-lines.js';

test('lines: INSTANCE and GROUP with the state and priority, VS and RS with keepalived\'s labels', () => {
  assert.equal(instanceLine('VI_1', 'MASTER', 150), 'INSTANCE "VI_1" MASTER 150\n');
  assert.equal(instanceLine('VI_1', 'MASTER_RX_LOWER_PRI', 100), 'INSTANCE "VI_1" MASTER_RX_LOWER_PRI 100\n');
  assert.equal(groupLine('VG_1', 'BACKUP'), 'GROUP "VG_1" BACKUP 0\n');
  assert.equal(virtualServerLine('[192.0.2.1]:tcp:80', false), 'VS [192.0.2.1]:tcp:80 DOWN\n');
  assert.equal(realServerLine('[192.0.2.11]:tcp:80', '[192.0.2.1]:tcp:80', true), 'RS [192.0.2.11]:tcp:80 [192.0.2.1]:tcp:80 UP\n');
});

const globals = (lines: readonly string[]): string => `global_defs {\n${lines.map((l) => `  ${l}\n`).join('')}}\n`;

test('plan: the global FIFO carries both sides; a side FIFO named like it is ignored with keepalived\'s message', () => {
  const { config } = parseConfigText(globals([
    'notify_fifo /run/a.fifo', 'notify_fifo_script /bin/true',
    'vrrp_notify_fifo /run/a.fifo', 'lvs_notify_fifo /run/b.fifo', 'lvs_notify_fifo_script /bin/false',
  ]));
  const { fifos, notes } = planFifos(config.global, { vrrp: true, lvs: true });
  assert.deepEqual(fifos.map((f) => [f.path, f.keyword, f.vrrp, f.lvs, f.script?.text]), [
    ['/run/a.fifo', 'notify_fifo', true, true, '/bin/true'],
    ['/run/b.fifo', 'lvs_notify_fifo', false, true, '/bin/false'],
  ]);
  assert.deepEqual(notes, ['notify FIFO /run/a.fifo has been specified for global and vrrp FIFO - ignoring vrrp FIFO']);
});

test('plan: one FIFO for VRRP and LVS keeps the VRRP script; -P / -C open only their side', () => {
  const { config } = parseConfigText(globals([
    'vrrp_notify_fifo /run/c.fifo', 'vrrp_notify_fifo_script /bin/true',
    'lvs_notify_fifo /run/c.fifo', 'lvs_notify_fifo_script /bin/false',
  ]));
  const both = planFifos(config.global, { vrrp: true, lvs: true });
  assert.deepEqual(both.fifos.map((f) => [f.path, f.vrrp, f.lvs, f.script?.text]), [['/run/c.fifo', true, true, '/bin/true']]);
  assert.deepEqual(both.notes, ['LVS notify FIFO and vrrp FIFO are the same both with scripts - ignoring LVS FIFO script']);
  const lvsOnly = planFifos(config.global, { vrrp: false, lvs: true });
  assert.deepEqual(lvsOnly.fifos.map((f) => [f.path, f.vrrp, f.lvs, f.script?.text]), [['/run/c.fifo', false, true, '/bin/false']]);
  assert.deepEqual(planFifos(config.global, { vrrp: false, lvs: false }).fifos, []);
});

function host(users: Record<string, number>): ScriptHost {
  return {
    self: { uid: 0, gid: 0 },
    lookup: (user) => (users[user] !== undefined
      ? { ok: true, uid: users[user]!, gid: users[user]!, label: user }
      : { ok: false, message: `Script user '${user}' does not exist` }),
    check: (argv0) => ({ flags: SC.ISSCRIPT | SC.EXECUTABLE, path: argv0, messages: [], viaShell: false }),
  };
}

test('owner: the FIFO\'s own user, else keepalived_script, else the daemon; an unknown user drops the FIFO', () => {
  const text = globals(['notify_fifo /run/a.fifo ops', 'vrrp_notify_fifo /run/v.fifo', 'lvs_notify_fifo /run/l.fifo nobody-here']) +
    'vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 1\n  virtual_ipaddress {\n    192.0.2.1\n  }\n}\n';
  const r = parseConfigText(text, '/k.conf', { scripts: host({ ops: 1001, keepalived_script: 998 }) });
  const g = r.config.global;
  assert.deepEqual(g.notifyFifo.owner, { uid: 1001, gid: 1001 });
  assert.deepEqual(g.vrrpNotifyFifo.owner, { uid: 998, gid: 998 }, 'no user given: keepalived_script');
  assert.equal(g.lvsNotifyFifo.path, undefined, 'an unknown user: the FIFO is ignored');
  assert.ok(r.diagnostics.some((d) => d.message === 'Invalid user/group for lvs_ fifo /run/l.fifo - ignoring'));
  const root = parseConfigText(text, '/k.conf', { scripts: host({ ops: 1001 }) });
  assert.deepEqual(root.config.global.vrrpNotifyFifo.owner, { uid: 0, gid: 0 }, 'no keepalived_script: the daemon\'s own user');
});
