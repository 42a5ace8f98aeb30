import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Notifier, realServerSubject, sendAlert, type SmtpAlertConfig } from '../../../src/notify/index.js';
import { parseConfigText, type LoadResult } from '../../../src/config/index.js';
import type { ScriptSpec } from '../../../src/config/readers.js';
import type { Logger, LogFields } from '../../../src/core/log.js';
import { hostScripts, scriptPort } from '../../../src/sys/script/runner.js';
import { startSmtpServer, type SmtpTestServer } from '../../helpers/smtp-server.js';
import { freePort } from '../check/harness.js';

/** A real server's notify_up as the daemon gets it: written in a config, through the script audit. */
function notifyUp(line: string): { spec: ScriptSpec | undefined; loaded: LoadResult } {
  const text = `global_defs {\n  enable_script_security\n  script_user root\n}\nvirtual_server 127.0.0.1 80 {\n  protocol TCP\n  real_server 127.0.0.1 81 {\n    notify_up ${line}\n  }\n}\n`;
  const loaded = parseConfigText(text, '/keepalived.conf', { scripts: hostScripts() });
  return { spec: loaded.config.virtualServers[0]?.realServers[0]?.notifyUp, loaded };
}

let dir = '';
let smtp: SmtpTestServer;

function recorder(): { log: Logger; lines: Array<{ level: string; msg: string; fields?: LogFields }> } {
  const lines: Array<{ level: string; msg: string; fields?: LogFields }> = [];
  const mk = (level: string) => (msg: string, fields?: LogFields): void => { lines.push({ level, msg, ...(fields ? { fields } : {}) }); };
  const log: Logger = { debug: mk('debug'), info: mk('info'), warn: mk('warn'), error: mk('error'), child: () => log };
  return { log, lines };
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'halb-notify-'));
  chmodSync(dir, 0o755);
  smtp = await startSmtpServer();
});

after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await smtp.close();
});

test('notify_up runs from argv without a shell; its exit code is logged', async () => {
  const out = join(dir, 'out');
  const script = join(dir, 'notify.sh');
  writeFileSync(script, `#!/bin/sh\nprintf '%s|' "$@" > "${out}"\nexit 3\n`);
  chmodSync(script, 0o755);
  const { log, lines } = recorder();
  const n = new Notifier({ scripts: scriptPort(), logger: log });
  // An argument with a space and a shell metacharacter arrives intact: no shell in between.
  const { spec } = notifyUp(`"${script} 'a b' \\$(id)"`);
  assert.deepEqual(spec?.argv, [script, 'a b', '$(id)']);
  const r = await n.run(spec!, 'notify_up for [127.0.0.1]:tcp:80');
  assert.ok(r.ran && r.result.kind === 'exit' && r.result.code === 3 && !r.result.viaShell);
  assert.equal(readFileSync(out, 'utf8'), 'a b|$(id)|');
  const done = lines.find((l) => /exited with status 3/.test(l.msg));
  assert.equal(done?.level, 'warn');
  assert.equal(done?.fields?.exitCode, 3);
});

test('a script without #! goes through /bin/sh, as keepalived falls back to system()', async () => {
  const out = join(dir, 'plain-out');
  const script = join(dir, 'plain.sh');
  writeFileSync(script, `echo ran > "${out}"\n`);
  chmodSync(script, 0o755);
  const n = new Notifier({ scripts: scriptPort() });
  const r = await n.run(notifyUp(script).spec!, 'notify_down');
  assert.ok(r.ran && r.result.kind === 'exit' && r.result.code === 0 && r.result.viaShell);
  assert.equal(readFileSync(out, 'utf8'), 'ran\n');
});

test('notify scripts time out (process group killed) and insecure ones are refused', async () => {
  const slow = join(dir, 'slow.sh');
  writeFileSync(slow, '#!/bin/sh\nsleep 20\n');
  chmodSync(slow, 0o755);
  const { log, lines } = recorder();
  const n = new Notifier({ scripts: scriptPort(), logger: log, timeoutMs: 200 });
  const r = await n.run(notifyUp(slow).spec!, 'quorum_down');
  assert.ok(r.ran && r.result.kind === 'signal' && r.result.timedOut);
  assert.ok(lines.some((l) => l.level === 'warn' && /timed out/.test(l.msg)));
  if (process.getuid?.() === 0) {
    chmodSync(slow, 0o777);
    const { spec, loaded } = notifyUp(slow);
    // The audit takes it out of the config; the runner refuses anything not approved.
    assert.equal(spec, undefined);
    assert.ok(loaded.diagnostics.some((d) => d.message.includes(`'${slow}' is writable by everyone (mode 0777)`)));
    const refused = await scriptPort().run({ text: slow }, [], 1000);
    assert.equal(refused.kind, 'spawn-error');
  }
});

test('smtp_alert sends keepalived\'s dialogue and headers to a real SMTP server', async () => {
  const cfg: SmtpAlertConfig = {
    to: ['ops@example.org', 'oncall@example.org'],
    from: 'halb@lb1.example.org',
    server: { host: '127.0.0.1', port: smtp.port },
    heloName: 'lb1.example.org',
    timeoutMs: 2000,
    routerId: 'LVS_DEVEL',
  };
  const subject = realServerSubject(cfg.routerId, '[10.0.0.2]:tcp:80', '[192.0.2.10]:tcp:80', false);
  const r = await sendAlert(cfg, subject, '=> TCP CHECK failed on service <=\n.leading dot', { date: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)) });
  assert.deepEqual(r, { ok: true });
  assert.deepEqual(smtp.commands.slice(0, 6), ['HELO lb1.example.org', 'MAIL FROM:<halb@lb1.example.org>', 'RCPT TO:<ops@example.org>', 'RCPT TO:<oncall@example.org>', 'DATA', 'QUIT']);
  const mail = smtp.mails[0];
  assert.ok(mail !== undefined);
  assert.deepEqual(mail.to, cfg.to);
  assert.match(mail.data, /^Date: \w{3}, \d{2} Jan 2024 \d{2}:\d{2}:05 [+-]\d{4}\r\n/);
  assert.match(mail.data, /\r\nFrom: halb@lb1\.example\.org\r\nSubject: \[LVS_DEVEL\] Realserver \[10\.0\.0\.2\]:tcp:80 of virtual server \[192\.0\.2\.10\]:tcp:80 - DOWN\r\nX-Mailer: Keepalived\r\nTo: ops@example\.org, oncall@example\.org\r\n\r\n/);
  assert.match(mail.data, /=> TCP CHECK failed on service <=\r\n\.leading dot\r\n$/);
});

test('smtp_alert reports the failing stage', async () => {
  smtp.greeting = 554;
  const cfg: SmtpAlertConfig = { to: ['a@b'], from: 'x@y', server: { host: '127.0.0.1', port: smtp.port }, heloName: 'h', timeoutMs: 1000, routerId: 'r' };
  assert.deepEqual((await sendAlert(cfg, 's', 'b')) as { stage: string }, { ok: false, stage: 'greeting', detail: 'greeting: SMTP status code = 554 service not available' });
  smtp.greeting = 220;
  const dead = await freePort();
  const r = await sendAlert({ ...cfg, server: { host: '127.0.0.1', port: dead } }, 's', 'b');
  assert.ok(!r.ok && r.stage === 'connect' && /ECONNREFUSED/.test(r.detail));
});
