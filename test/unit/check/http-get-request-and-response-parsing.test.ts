import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { buildGetRequest, parseResponseHead, statusAccepted } from '../../../src/check/http-wire.js';
import { BodyAccumulator, compileRegex, regexMatches } from '../../../src/check/http-body.js';
import type { HttpRegex } from '../../../src/config/model/checkers.js';

test('the request is keepalived\'s request_template for each http_protocol', () => {
  assert.equal(buildGetRequest({ path: '/health', protocol: '1.0', addr: '10.0.0.1', port: 8080 }),
    'GET /health HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nHost: 10.0.0.1:8080\r\n\r\n');
  assert.equal(buildGetRequest({ path: '/', protocol: '1.0C', addr: '10.0.0.1', port: 80, virtualhost: 'www.example.org' }),
    'GET / HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nConnection: close\r\nHost: www.example.org\r\n\r\n');
  assert.equal(buildGetRequest({ path: '/x', protocol: '1.1', addr: 'fd00::1', port: 443 }),
    'GET /x HTTP/1.1\r\nUser-Agent: KeepAliveClient\r\nConnection: close\r\nHost: [fd00::1]:443\r\n\r\n');
});

test('the response head is found however the bytes are split', () => {
  const raw = Buffer.from('HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello');
  for (let cut = 0; cut < raw.length; cut++) {
    const r = parseResponseHead(raw.subarray(0, cut));
    if (cut < raw.length - 5) assert.equal(r.complete, false, `cut ${cut}`);
  }
  const r = parseResponseHead(raw);
  assert.deepEqual(r, { complete: true, headLength: raw.length - 5, statusCode: 503, contentLength: 5 });
  assert.deepEqual(parseResponseHead(Buffer.from('HTTP/1.0 200 OK\n\nbody')), { complete: true, headLength: 17, statusCode: 200, contentLength: undefined });
  assert.equal((parseResponseHead(Buffer.from('garbage\r\n\r\n')) as { statusCode: number }).statusCode, 0);
});

test('status_code ranges are inclusive', () => {
  const ranges = [{ min: 200, max: 204 }, { min: 301, max: 301 }];
  assert.deepEqual([199, 200, 204, 205, 301, 302].map((c) => statusAccepted(c, ranges)), [false, true, true, false, true, false]);
});

test('the digest covers the body up to Content-Length, as keepalived hashes it', () => {
  const b = new BodyAccumulator({ digest: true, keepForRegex: false, contentLength: 5 });
  b.push(Buffer.from('hel'));
  assert.equal(b.complete, false);
  b.push(Buffer.from('loEXTRA'));
  assert.equal(b.complete, true);
  assert.equal(b.digestHex(), createHash('md5').update('hello').digest('hex'));
  const open = new BodyAccumulator({ digest: true, keepForRegex: false, contentLength: undefined });
  open.push(Buffer.from('abc'));
  open.push(Buffer.from('def'));
  assert.equal(open.digestHex(), createHash('md5').update('abcdef').digest('hex'));
});

function rx(pattern: string, extra: Partial<HttpRegex> = {}): HttpRegex {
  return { pattern, options: [], noMatch: false, minOffset: 0, ...extra };
}

test('regex with options and offsets: a match must start within [min, max]', () => {
  const body = Buffer.from('status: OK\nversion 2');
  const c = (r: HttpRegex): boolean => {
    const k = compileRegex(r);
    assert.ok(k.ok);
    return regexMatches(body, r, k);
  };
  assert.equal(c(rx('OK')), true);
  assert.equal(c(rx('ok')), false);
  assert.equal(c(rx('ok', { options: ['caseless'] })), true);
  assert.equal(c(rx('^version', { options: ['multiline'] })), true);
  assert.equal(c(rx('OK', { minOffset: 9 })), false);
  assert.equal(c(rx('OK', { maxOffset: 7 })), false);
  assert.equal(c(rx('OK', { minOffset: 8, maxOffset: 8 })), true);
  const ext = compileRegex(rx('a', { options: ['extended', 'no_start_optimize'] }));
  assert.ok(ext.ok && ext.ignored.join() === 'extended');
  assert.equal(compileRegex(rx('(')).ok, false);
});
