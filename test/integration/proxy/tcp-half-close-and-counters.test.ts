import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { createHash } from 'node:crypto';
import { ProxyEngine } from '../../../src/dataplane/proxy/engine.js';
import { freePort, rs, service, startBackend, until, within, type Backend } from './helpers.js';

// Backend that answers only after the client's FIN: "got N bytes <sha256>", then FIN.
function replyAfterEof(s: net.Socket): void {
  const h = createHash('sha256');
  let n = 0;
  s.on('data', (d: Buffer) => { n += d.length; h.update(d); });
  s.on('end', () => s.end(`got ${n} ${h.digest('hex')}`));
}

// Backend that greets, sends FIN at once, and keeps reading: "client->server after server FIN".
let lateBytes = 0;
function finFirst(s: net.Socket): void {
  s.end('bye\n');
  s.on('data', (d: Buffer) => { lateBytes += d.length; });
}

let engine: ProxyEngine;
let eofBackend: Backend;
let finBackend: Backend;
let bulkBackend: Backend;
const BULK = 48 * 1024 * 1024;
let bulkSent = 0;
let portEof = 0;
let portFin = 0;
let portBulk = 0;

before(async () => {
  eofBackend = await startBackend('eof', '127.0.0.1', replyAfterEof);
  finBackend = await startBackend('fin', '127.0.0.1', finFirst);
  bulkBackend = await startBackend('bulk', '127.0.0.1', (s) => {
    const chunk = Buffer.alloc(64 * 1024, 7);
    let sent = 0;
    const pump = (): void => {
      while (sent < BULK) {
        sent += chunk.length;
        bulkSent = sent;
        if (!s.write(chunk)) { s.once('drain', pump); return; }
      }
      s.end();
    };
    pump();
  });
  [portEof, portFin, portBulk] = [await freePort(), await freePort(), await freePort()];
  engine = new ProxyEngine({ tickMs: 50 });
  const r = await engine.apply({
    services: [
      service(portEof, [rs(eofBackend)]),
      service(portFin, [rs(finBackend)]),
      service(portBulk, [rs(bulkBackend)]),
    ],
  });
  assert.deepEqual(r.failed, []);
});

after(async () => {
  await engine.close();
  await Promise.all([eofBackend.close(), finBackend.close(), bulkBackend.close()]);
});

test('client half-close: the real server sees EOF and its late answer still reaches the client', async () => {
  const payload = Buffer.alloc(300_000, 'x');
  const answer = await within(5000, 'half-close answer', new Promise<string>((resolve, reject) => {
    const s = net.connect({ port: portEof, host: '127.0.0.1', allowHalfOpen: true });
    let got = '';
    s.setEncoding('utf8');
    s.on('data', (d: string) => { got += d; });
    s.on('end', () => { resolve(got); s.end(); });
    s.on('error', reject);
    s.end(payload);
  }));
  assert.equal(answer, `got ${payload.length} ${createHash('sha256').update(payload).digest('hex')}`);

  const snap = engine.snapshot();
  const svc = snap.services.find((x) => x.port === portEof)!;
  assert.equal(svc.stats.conns, 1);
  assert.equal(svc.stats.inBytes, payload.length);
  assert.equal(svc.stats.outBytes, answer.length);
  assert.ok(svc.stats.inPkts >= 1 && svc.stats.outPkts >= 1);
  const dest = svc.realServers[0]!;
  assert.equal(dest.stats.inBytes, payload.length);
  assert.equal(dest.stats.conns, 1);
});

test('server half-close: the client keeps sending after the real server FIN', async () => {
  lateBytes = 0;
  await within(5000, 'server FIN first', new Promise<void>((resolve, reject) => {
    const s = net.connect({ port: portFin, host: '127.0.0.1', allowHalfOpen: true });
    let got = '';
    s.setEncoding('utf8');
    s.on('data', (d: string) => { got += d; });
    s.on('end', () => {
      assert.equal(got, 'bye\n');
      // The client's direction is still open end to end.
      s.end('late data after the server FIN');
    });
    s.on('close', () => resolve());
    s.on('error', reject);
  }));
  const want = 'late data after the server FIN'.length;
  await until(2000, 'late bytes reach the server', () => lateBytes >= want);
  assert.equal(lateBytes, want);
});

test('a slow reader gets every byte of a bulk transfer (backpressure, no loss)', async () => {
  let sentWhilePaused = 0;
  const received = await within(15_000, 'bulk transfer', new Promise<number>((resolve, reject) => {
    const s = net.connect({ port: portBulk, host: '127.0.0.1' });
    let n = 0;
    s.pause();
    // Stall long enough for every buffer between the real server and us to fill.
    setTimeout(() => { sentWhilePaused = bulkSent; s.resume(); }, 300);
    s.on('data', (d: Buffer) => { n += d.length; });
    s.on('end', () => resolve(n));
    s.on('error', reject);
  }));
  assert.equal(received, BULK);
  // Without backpressure the proxy would have swallowed the whole transfer while we slept.
  assert.ok(sentWhilePaused > 0 && sentWhilePaused < BULK / 2, `real server wrote ${sentWhilePaused} bytes while the client was paused`);
  const svc = engine.snapshot().services.find((x) => x.port === portBulk)!;
  assert.equal(svc.stats.outBytes, BULK);
});

test('connections leave the counters as IPVS keeps them: nothing active or inactive once closed', async () => {
  await until(2000, 'connections to finish', () =>
    engine.snapshot().services.every((x) => x.realServers.every((d) => d.activeConns === 0 && d.inactiveConns === 0)));
  const snap = engine.snapshot({ connections: true });
  assert.deepEqual(snap.connections, []);
  assert.equal(snap.totals.conns, 3);
});
