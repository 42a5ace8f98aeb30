import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { FAST, oneServerConfig, startChecking, startUdpEcho, type Harness, type UdpEcho } from './harness.js';

let echo: UdpEcho;

before(async () => {
  echo = await startUdpEcho();
});

after(async () => {
  await echo.close();
});

test('UDP_CHECK with require_reply: matching echo is up, a wrong reply or ICMP port unreachable is down', async () => {
  const h: Harness = startChecking(oneServerConfig({
    rsPort: echo.port,
    checkers: `    UDP_CHECK {\n      payload 68616c62\n      require_reply 68x1\n      min_reply_length 4\n      connect_timeout 0.5\n      ${FAST}\n    }`,
  }));
  try {
    await h.waitFor(true);
    echo.healthy = false; // replies "nope"
    await h.waitFor(false);
    assert.match(h.hs.snapshot().realServers[0]?.checkers[0]?.last?.detail ?? '', /reply byte 0/);
    echo.healthy = true;
    await h.waitFor(true);
    await echo.down();
    await h.waitFor(false);
    await echo.up();
    await h.waitFor(true);
  } finally {
    await h.stop();
  }
});

test('UDP_CHECK without require_reply: silence is up, ICMP port unreachable is down', async () => {
  const dgram = await import('node:dgram');
  const sink = dgram.createSocket('udp4');
  await new Promise<void>((r) => sink.bind(0, '127.0.0.1', () => r()));
  const port = sink.address().port;
  const h = startChecking(oneServerConfig({ rsPort: port, checkers: `    UDP_CHECK {\n      connect_timeout 0.2\n      ${FAST}\n    }` }));
  try {
    await h.waitFor(true);
    await new Promise<void>((r) => sink.close(() => r()));
    await h.waitFor(false);
  } finally {
    await h.stop();
  }
});
