import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import http from 'node:http';
import { PassThrough } from 'node:stream';
import { runGenhash, genhashCommand } from '../../../src/cli/genhash.js';
import { freePort } from './harness.js';

let server: http.Server;
let port = 0;
const PAGE = 'a page\nwith two lines\n';

before(async () => {
  // /fixed has a Content-Length; /stream has none (chunked under HTTP/1.1, close-delimited under 1.0).
  server = http.createServer((req, res) => {
    if (req.url === '/fixed') {
      res.writeHead(200, { 'content-length': Buffer.byteLength(PAGE) });
      res.end(PAGE);
    } else {
      res.write('part one;');
      setTimeout(() => res.end('part two'), 20);
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as { port: number }).port;
});

after(() => {
  server.closeAllConnections();
  server.close();
});

async function ours(args: { url: string; protocol?: string; timeout?: string; verbose?: boolean; port?: number }): Promise<{ code: number; out: string; err: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  let o = '';
  let e = '';
  out.on('data', (c: Buffer) => { o += c.toString(); });
  err.on('data', (c: Buffer) => { e += c.toString(); });
  const code = await runGenhash({ server: '127.0.0.1', port: String(args.port ?? port), url: args.url, protocol: args.protocol ?? '1.0', ...(args.timeout ? { timeout: args.timeout } : {}), ...(args.verbose ? { verbose: true } : {}) }, out, err);
  return { code, out: o, err: e };
}

test('genhash prints the MD5 of the body, one line of 32 hex digits', async () => {
  const r = await ours({ url: '/fixed' });
  assert.equal(r.code, 0);
  assert.equal(r.out, `${createHash('md5').update(PAGE).digest('hex')}\n`);
});

test('genhash agrees with keepalived --genhash for every http_protocol, with and without Content-Length', async (t) => {
  const which = spawnSync('keepalived', ['--version'], { encoding: 'utf8' });
  if (which.error !== undefined) {
    if (process.env.CI === 'true') throw new Error('CI=true but keepalived is not installed (scripts/install-deps.sh installs it)');
    process.stderr.write('\n*** SKIPPED: keepalived not installed; cannot compare genhash digests ***\n');
    t.skip('keepalived not installed');
    return;
  }
  for (const url of ['/fixed', '/stream']) {
    for (const protocol of ['1.0', '1.0c', '1.1']) {
      const theirs = await new Promise<string>((resolve) => {
        const p = spawn('keepalived', ['--genhash', '-s', '127.0.0.1', '-p', String(port), '-u', url, '-P', protocol, '-t', '3']);
        let s = '';
        p.stdout.on('data', (c: Buffer) => { s += c.toString(); });
        p.on('close', () => resolve(s));
      });
      const mine = await ours({ url, protocol, timeout: '3' });
      assert.equal(mine.out, theirs, `${url} HTTP/${protocol}`);
    }
  }
});

test('genhash: refused port and timeout exit 1 with a message; bad arguments are usage errors', async () => {
  const dead = await freePort();
  const r = await ours({ url: '/', port: dead });
  assert.equal(r.code, 1);
  assert.match(r.err, /ECONNREFUSED/);
  await assert.rejects(runGenhash({ server: 'localhost', port: '80', url: '/', protocol: '1.0' }), /server should be an IP/);
  await assert.rejects(runGenhash({ server: '127.0.0.1', port: '0', url: '/', protocol: '1.0' }), /invalid port number/);
  await assert.rejects(runGenhash({ server: '127.0.0.1', port: '80', url: '/', protocol: '2' }), /invalid HTTP protocol/);
  const v = await ours({ url: '/fixed', verbose: true });
  assert.match(v.out, /HTTP Header Ascii Buffer/);
  assert.match(v.out, /MD5SUM = [0-9a-f]{32}\n$/);
  const cmd = genhashCommand();
  assert.equal(cmd.name(), 'genhash');
  assert.deepEqual(cmd.options.map((o) => o.short).filter(Boolean).sort(), ['-I', '-P', '-S', '-V', '-p', '-s', '-t', '-u', '-v'].sort());
});
