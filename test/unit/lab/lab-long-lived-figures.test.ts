// --long-lived N: which connections count as survivors (open at the end AND answered
// after the fault), the 99 % check on the kernel dataplane, no check but the stated limit
// on the proxy dataplane, and the report's words.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { longLivedCell, longLivedCheck, longLivedFigures, PROXY_LIMIT, type LongLivedRecord } from '../../../src/lab/long-lived.js';
import type { LongLivedConn } from '../../../src/lab/long-lived-client.js';

const FAULT = 10_000;
const alive = (c: number, lastOkAt = 20_000, maxWaitMs = 3500): LongLivedConn => ({ c, localPort: 40000 + c, servedBy: ['rs1'], ok: 150, firstAt: 1000, lastOkAt, maxWaitMs });
const lost = (c: number, why: string): LongLivedConn => ({ ...alive(c, 9_900, 100), lost: { at: 13_000, why } });

function rec(conns: LongLivedConn[], dataplane = 'nft'): LongLivedRecord {
  return { dataplane, opened: conns.length, conns };
}

test('survivors are open at the end and answered after the fault', () => {
  const conns = [...Array.from({ length: 97 }, (_, i) => alive(i)), lost(97, 'ECONNRESET'), lost(98, 'ECONNRESET'), alive(99, 9_000)];
  const f = longLivedFigures(rec(conns), FAULT);
  assert.deepEqual({ survived: f.survived, lost: f.lost, reasons: f.reasons, maxStallMs: f.maxStallMs },
    { survived: 97, lost: 3, reasons: { ECONNRESET: 2, 'no answer after the fault': 1 }, maxStallMs: 3500 });
  const c = longLivedCheck(f);
  assert.equal(c?.ok, false);
  assert.match(c!.detail, /^97 of 100 survived \(need 99\); lost: 2 ECONNRESET, 1 no answer after the fault/);
});

test('99 of 100 pass on the kernel dataplane; the proxy gets no check but its limit in the report', () => {
  const ninetyNine = [...Array.from({ length: 99 }, (_, i) => alive(i)), lost(99, 'ECONNRESET')];
  assert.equal(longLivedCheck(longLivedFigures(rec(ninetyNine), FAULT))?.ok, true);
  const proxy = longLivedFigures(rec(Array.from({ length: 10 }, (_, i) => lost(i, 'ECONNRESET')), 'proxy'), FAULT);
  assert.equal(longLivedCheck(proxy), undefined);
  assert.ok(longLivedCell(proxy).includes(PROXY_LIMIT));
  assert.match(longLivedCell(proxy), /^long-lived: 0\/10 survived, /);
});

test('the returning master\'s sync account is in the report line', () => {
  const r: LongLivedRecord = {
    ...rec([alive(0)]),
    sync: { director: 'dir1', status: { instance: 'VI_1', transport: 'multicast 225.0.0.50:3780 on eth0', state: 'running', restarts: 0, role: 'primary', commits: 1, commitFailures: 0, lastCommitMs: 72, startupResync: { flows: 1874, ms: 1330, settled: true } } },
  };
  assert.equal(longLivedCell(longLivedFigures(r, FAULT)), 'long-lived: 1/1 survived, longest stall 3.50 s, dir1 held 1874 synced flow(s) 1.33 s after start, before VRRP, commit before VIP 72 ms');
});
