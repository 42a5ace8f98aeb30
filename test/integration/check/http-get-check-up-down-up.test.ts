import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { FAST, oneServerConfig, startChecking, startWeb, type Harness, type WebServer } from './harness.js';
import { HttpGetChecker } from '../../../src/check/http-get.js';
import type { HttpCheck } from '../../../src/config/model/checkers.js';

let web: WebServer;

before(async () => {
  web = await startWeb();
});

after(async () => {
  await web.close();
});

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

test('HTTP_GET: status code, digest and a refused port each take the server down and back up', async () => {
  const h: Harness = startChecking(oneServerConfig({
    rsPort: web.port,
    checkers: `    HTTP_GET {\n      url {\n        path /health\n        digest ${md5(web.body)}\n        status_code 200-299\n      }\n      virtualhost www.example.org\n      connect_timeout 0.5\n      ${FAST}\n    }`,
  }));
  try {
    await h.waitFor(true);
    assert.equal(web.hosts.at(-1), 'www.example.org');
    web.healthy = false; // 503
    await h.waitFor(false);
    assert.match(h.hs.snapshot().realServers[0]?.checkers[0]?.last?.detail ?? '', /HTTP status code 503/);
    web.healthy = true;
    await h.waitFor(true);
    const good = web.body;
    web.body = 'changed page\n'; // 200 but the digest no longer matches
    await h.waitFor(false);
    assert.match(h.hs.snapshot().realServers[0]?.checkers[0]?.last?.detail ?? '', /MD5 digest/);
    web.body = good;
    await h.waitFor(true);
    await web.down();
    await h.waitFor(false);
    await web.up();
    await h.waitFor(true);
  } finally {
    await h.stop();
  }
});

test('HTTP_GET: a body that trickles past connect_timeout fails within the budget', async () => {
  const http = await import('node:http');
  const slow = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-length': 100 });
    res.write('x');
    const t = setInterval(() => res.write('x'), 100);
    res.on('close', () => clearInterval(t));
  });
  await new Promise<void>((r) => slow.listen(0, '127.0.0.1', () => r()));
  const port = (slow.address() as { port: number }).port;
  const cfg: HttpCheck = {
    kind: 'HTTP_GET', pos: { file: 'x', line: 1 }, alpha: false, retry: 0, delayLoopMs: 1000, delayBeforeRetryMs: 1000, warmupMs: 0, logAllFailures: false,
    connect: { addr: '127.0.0.1', family: 4, port, timeoutMs: 400 }, httpProtocol: '1.1', fastRecovery: false, enableSni: false, tlsCompliant: false,
    urls: [{ pos: { file: 'x', line: 1 }, path: '/', statusCodes: [{ min: 200, max: 299 }] }],
  };
  const t0 = performance.now();
  const r = await new HttpGetChecker(cfg).run(new AbortController().signal);
  const took = performance.now() - t0;
  slow.closeAllConnections();
  slow.close();
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.reason, 'timeout');
  assert.ok(took >= 380 && took < 1500, `took ${took} ms`);
});

test('HTTP_GET: regex and regex_no_match over the body', async () => {
  web.body = 'status: READY\n';
  const run = async (regex: string): Promise<boolean> => {
    const cfg: HttpCheck = {
      kind: 'HTTP_GET', pos: { file: 'x', line: 1 }, alpha: false, retry: 0, delayLoopMs: 1000, delayBeforeRetryMs: 1000, warmupMs: 0, logAllFailures: false,
      connect: { addr: '127.0.0.1', family: 4, port: web.port, timeoutMs: 1000 }, httpProtocol: '1.0C', fastRecovery: false, enableSni: false, tlsCompliant: false,
      urls: [{ pos: { file: 'x', line: 1 }, path: '/', statusCodes: [{ min: 200, max: 299 }], regex: { pattern: regex, options: ['caseless'], noMatch: regex.startsWith('!'), minOffset: 0 } }],
    };
    if (regex.startsWith('!')) cfg.urls[0]!.regex!.pattern = regex.slice(1);
    const r = await new HttpGetChecker(cfg).run(new AbortController().signal);
    return r.ok;
  };
  assert.equal(await run('ready'), true);
  assert.equal(await run('down'), false);
  assert.equal(await run('!down'), true);
  assert.equal(await run('!ready'), false);
});
