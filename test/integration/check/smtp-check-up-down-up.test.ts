import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { FAST, oneServerConfig, startChecking, type Harness } from './harness.js';
import { startSmtpServer, type SmtpTestServer } from '../../helpers/smtp-server.js';

let smtp: SmtpTestServer;
let h: Harness;

before(async () => {
  smtp = await startSmtpServer();
  h = startChecking(oneServerConfig({ rsPort: smtp.port, checkers: `    SMTP_CHECK {\n      helo_name checker.halb.test\n      connect_timeout 0.5\n      ${FAST}\n    }` }));
});

after(async () => {
  await h.stop();
  await smtp.close();
});

test('SMTP_CHECK: 220 + HELO 250 is up, a 554 greeting or a closed port is down', async () => {
  await h.waitFor(true);
  assert.ok(smtp.commands.includes('HELO checker.halb.test'));
  assert.ok(smtp.commands.includes('QUIT'));
  smtp.greeting = 554;
  await h.waitFor(false);
  assert.match(h.hs.snapshot().realServers[0]?.checkers[0]?.last?.detail ?? '', /bad greeting 554/);
  smtp.greeting = 220;
  await h.waitFor(true);
  const port = smtp.port;
  await smtp.close();
  await h.waitFor(false);
  smtp = await startSmtpServer(port);
  await h.waitFor(true);
});
