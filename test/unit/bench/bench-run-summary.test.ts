import { test } from 'node:test';
import assert from 'node:assert/strict';
import { leftBy, ratioRows, readVerdict, summarize, type BenchRun } from '../../../bench/run.js';

const proxyMd = `# proxy throughput

| target | keep-alive req/s |
|---|---|
| direct | 46849 |

| ratio | keep-alive | new conn/s |
|---|---|---|
| halb vs haproxy nbthread 1 | 0.63x | 0.38x |
| halb vs direct | 0.61x | 0.38x |
`;

test('ratio rows are the table rows that carry an "x" ratio, named by their table\'s header', () => {
  assert.deepEqual(ratioRows(proxyMd), [
    'halb vs haproxy nbthread 1: keep-alive 0.63x, new conn/s 0.38x',
    'halb vs direct: keep-alive 0.61x, new conn/s 0.38x',
  ]);
  assert.deepEqual(ratioRows('| box | 12 |\nmax 3x in prose'), []);
});

test('a bench result says whether it was skipped and which peers were missing', () => {
  assert.deepEqual(readVerdict({ skipped: true, missing: ['wrk', 3] }), { skipped: true, missing: ['wrk'] });
  assert.deepEqual(readVerdict({ skipped: true, why: 'needs root' }), { skipped: true, why: 'needs root', missing: [] });
  assert.deepEqual(readVerdict(null), { skipped: false, missing: [] });
});

test('the summary has a row per bench, the ratios at a glance, the missing peers and each report', () => {
  const runs: BenchRun[] = [
    { name: 'proxy-throughput', outcome: 'ok', seconds: 101.2, markdown: proxyMd, missing: ['haproxy'] },
    { name: 'vrrp-failover', outcome: 'timeout', seconds: 240, note: 'stopped after 240 s | see log', missing: [] },
    { name: 'checker-scale', outcome: 'not run', seconds: 0, note: 'the 570 s budget was spent', missing: [] },
  ];
  const md = summarize(runs, ['libnginx-mod-stream'], { started: '2026-01-01T00:00:00Z', seconds: 341, machine: 'Linux x, 2 cores' });
  assert.match(md, /^\| proxy-throughput \| ok \| 101 s \| {2}\|$/m);
  assert.match(md, /^\| vrrp-failover \| timeout \| 240 s \| stopped after 240 s \\\| see log \|$/m);
  assert.match(md, /^\| checker-scale \| not run \| 0 s \|/m);
  assert.match(md, /## Ratios at a glance\n\n- proxy-throughput: halb vs haproxy nbthread 1: keep-alive 0\.63x, new conn\/s 0\.38x\n/);
  assert.match(md, /haproxy, libnginx-mod-stream: comparisons against them were left out \(apt-get install haproxy libnginx-mod-stream\)/);
  assert.match(md, /## proxy-throughput\n\n\| target \| keep-alive req\/s \|/);
});

test('only namespaces a bench created and named after its pid are swept', () => {
  const before = new Set(['halb-x-1234-0', 'nftx-99']);
  assert.deepEqual(leftBy(1234, before, ['halb-x-1234-0', 'halb-sd-1234-3', 'nftx-1234', 'halb-y-12345-0', 'hlab-dir1', 'nftx-99']), ['halb-sd-1234-3', 'nftx-1234']);
});
