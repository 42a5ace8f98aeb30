// smtp_alert on VRRP transitions, mailed to a real SMTP server on loopback: keepalived's
// subjects and bodies for instances and sync groups, the per-instance smtp_alert resolved
// from global_defs (smtp_alert_vrrp over smtp_alert), no_email_faults, no second mail
// for a state already mailed, nothing without notification_email / smtp_server, and a
// server that refuses is an outcome, not an exception.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfigText } from '../../../src/config/index.js';
import { VrrpAlerts } from '../../../src/daemon/vrrp-alerts.js';
import type { EngineEvent } from '../../../src/vrrp/engine/types.js';
import { startSmtpServer } from '../../helpers/smtp-server.js';

function conf(port: number, globals: readonly string[], instance: readonly string[] = [], group: readonly string[] = []): string {
  return [
    'global_defs {', '  router_id lb1', '  notification_email {', '    ops@example.org', '    noc@example.org', '  }',
    '  notification_email_from halb@example.org', `  smtp_server 127.0.0.1 ${port}`, '  smtp_connect_timeout 2', ...globals.map((g) => `  ${g}`), '}',
    'vrrp_instance VI_1 {', '  interface eth0', '  virtual_router_id 51', '  priority 150', ...instance.map((l) => `  ${l}`),
    '  virtual_ipaddress {', '    192.0.2.200/24', '  }', '}',
    'vrrp_instance VI_2 {', '  interface eth0', '  virtual_router_id 52', '  virtual_ipaddress {', '    192.0.2.201/24', '  }', '}',
    'vrrp_sync_group G {', '  group {', '    VI_1', '    VI_2', '  }', ...group.map((l) => `  ${l}`), '}', '',
  ].join('\n');
}

const tr = (instance: string, from: string, to: string): EngineEvent =>
  ({ kind: 'transition', instance, from, to, priority: 150, reason: 'test' }) as EngineEvent;
const gtr = (group: string, from: string, to: string): EngineEvent =>
  ({ kind: 'group-transition', group, from, to, reason: 'test' }) as EngineEvent;

test('instance and group transitions are mailed with keepalived\'s subjects and bodies', async () => {
  const smtp = await startSmtpServer();
  try {
    const { config: cfg, diagnostics } = parseConfigText(conf(smtp.port, ['smtp_alert'], [], ['smtp_alert off']));
    assert.deepEqual(diagnostics.filter((d) => d.severity !== 'warning'), []);
    const alerts = new VrrpAlerts();
    assert.deepEqual(await alerts.alert(cfg, tr('VI_1', 'BACKUP', 'MASTER')), { sent: true, subject: '[lb1] VRRP Instance VI_1 - Entering MASTER state' });
    assert.equal(smtp.mails.length, 1);
    const m = smtp.mails[0]!;
    assert.equal(m.from, 'halb@example.org');
    assert.deepEqual(m.to, ['ops@example.org', 'noc@example.org']);
    assert.match(m.data, /^Subject: \[lb1\] VRRP Instance VI_1 - Entering MASTER state\r$/m);
    assert.match(m.data, /^X-Mailer: Keepalived\r$/m);
    assert.match(m.data, /\r\n\r\n=> VRRP Instance is now owning VRRP VIPs <=\r\n$/);
    assert.deepEqual(await alerts.alert(cfg, tr('VI_1', 'MASTER', 'BACKUP')), { sent: true, subject: '[lb1] VRRP Instance VI_1 - Entering BACKUP state' });
    assert.match(smtp.mails[1]!.data, /=> VRRP Instance is no longer owning VRRP VIPs <=/);
    assert.deepEqual(await alerts.alert(cfg, tr('VI_1', 'BACKUP', 'STOP')), { sent: true, subject: '[lb1] VRRP Instance VI_1 - Stopping' });
    assert.match(smtp.mails[2]!.data, /=> VRRP Instance stopping <=/);
    assert.deepEqual(await alerts.alert(cfg, gtr('G', 'BACKUP', 'MASTER')), { sent: false, why: 'smtp_alert off' }, 'the group turned it off');
    assert.deepEqual(await alerts.alert(cfg, { kind: 'notify', instance: 'VI_1', to: 'MASTER', priority: 150 }), { sent: false, why: 'not a state change' });
    assert.equal(smtp.mails.length, 3);

    const { config: g } = parseConfigText(conf(smtp.port, [], [], ['smtp_alert']));
    const ga = new VrrpAlerts();
    assert.deepEqual(await ga.alert(g, gtr('G', 'BACKUP', 'FAULT')), { sent: true, subject: '[lb1] VRRP Group G - Entering FAULT state' });
    assert.match(smtp.mails[3]!.data, /=> All VRRP group instances are now in FAULT state <=/);
    assert.deepEqual(await ga.alert(g, tr('VI_1', 'BACKUP', 'MASTER')), { sent: false, why: 'smtp_alert off' }, 'no global default: instances stay off');
  } finally {
    await smtp.close();
  }
});

test('smtp_alert_vrrp overrides smtp_alert; no_email_faults; a state is mailed once; no server configured sends nothing', async () => {
  const smtp = await startSmtpServer();
  try {
    const { config: cfg } = parseConfigText(conf(smtp.port, ['smtp_alert', 'smtp_alert_vrrp off'], ['smtp_alert on']));
    const a = new VrrpAlerts();
    assert.equal((await a.alert(cfg, tr('VI_1', 'BACKUP', 'MASTER'))).sent, true, 'the instance\'s own smtp_alert wins');
    assert.deepEqual(await a.alert(cfg, tr('VI_2', 'BACKUP', 'MASTER')), { sent: false, why: 'smtp_alert off' }, 'smtp_alert_vrrp off wins over smtp_alert');

    const { config: nf } = parseConfigText(conf(smtp.port, ['smtp_alert', 'no_email_faults']));
    const b = new VrrpAlerts();
    assert.equal((await b.alert(nf, tr('VI_1', 'INIT', 'BACKUP'))).sent, true);
    assert.deepEqual(await b.alert(nf, tr('VI_1', 'BACKUP', 'FAULT')), { sent: false, why: 'no_email_faults' });
    assert.deepEqual(await b.alert(nf, tr('VI_1', 'FAULT', 'BACKUP')), { sent: false, why: 'state already mailed' }, 'BACKUP was the last state mailed');
    assert.equal(smtp.mails.length, 2);

    const { config: none } = parseConfigText(conf(smtp.port, ['smtp_alert']).replace(/ {2}smtp_server .*\n/, ''));
    assert.deepEqual(await new VrrpAlerts().alert(none, tr('VI_1', 'BACKUP', 'MASTER')), { sent: false, why: 'notification_email or smtp_server not set' });
    assert.equal(smtp.mails.length, 2);
  } finally {
    await smtp.close();
  }
});

test('a server that refuses the connection or the greeting is an outcome with the stage', async () => {
  const smtp = await startSmtpServer();
  smtp.greeting = 554;
  try {
    const { config: cfg } = parseConfigText(conf(smtp.port, ['smtp_alert']));
    const out = await new VrrpAlerts().alert(cfg, tr('VI_1', 'BACKUP', 'MASTER'));
    assert.equal(out.sent, false);
    assert.ok(!out.sent && out.why === 'send failed' && out.stage === 'greeting', JSON.stringify(out));
  } finally {
    await smtp.close();
  }
});
