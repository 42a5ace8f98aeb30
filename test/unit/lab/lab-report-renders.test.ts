import { test } from 'node:test';
import assert from 'node:assert/strict';
import { measure } from '../../../src/lab/measure.js';
import { escapeHtml, renderHtml } from '../../../src/lab/report-html.js';
import { holdersCell, renderMarkdown, renderText, rows } from '../../../src/lab/report-table.js';
import type { DrillRecord, LabReport } from '../../../src/lab/report-types.js';

const T0 = 1_700_000_000_000;

function report(): LabReport {
  const failover: DrillRecord = {
    drill: 'failover', startedAt: T0, endedAt: T0 + 6000, actionAt: T0 + 1000, error: undefined,
    directors: ['dir1', 'dir2'], realServers: ['rs1', 'rs2'], initialHolders: ['dir1'], initialPoweredOff: [],
    samples: [
      { s: T0 + 100, e: T0 + 103, ok: true, rs: 'rs1' },
      { s: T0 + 1100, e: T0 + 2100, ok: false, err: 'TIMEOUT' },
      { s: T0 + 4100, e: T0 + 4104, ok: true, rs: 'rs2' },
    ],
    vipEvents: [{ at: T0 + 4000, director: 'dir2', held: true }],
    logEvents: [{ at: T0 + 3990, director: 'dir2', kind: 'vrrp', state: 'MASTER', text: '(VI_1) Entering MASTER STATE' }],
    marks: [{ at: T0 + 1000, kind: 'power-off', text: 'dir1 <loses> power & "cable"', director: 'dir1' }],
    expect: { takeoverBy: 'dir2', masterDownIntervalMs: 3609.375 },
  };
  const partition: DrillRecord = { ...failover, drill: 'partition', error: 'timed out | waiting', samples: [], vipEvents: [], logEvents: [], marks: [], expect: {} };
  return {
    lab: {
      name: 'default', vip: '192.0.2.100', mode: 'nat', dataplane: 'proxy', vrrpVersion: 2, advertIntS: 1,
      directors: [{ role: 'dir1', software: 'halb', priority: 150, address: '192.0.2.2' }, { role: 'dir2', software: 'keepalived', priority: 100, address: '192.0.2.3' }],
      realServers: [{ role: 'rs1', address: '192.0.2.141' }, { role: 'rs2', address: '192.0.2.142' }],
      clientRate: 100, requestTimeoutMs: 1000,
    },
    generatedAt: '2026-11-23T00:00:00.000Z',
    drills: [measure(failover), measure(partition)],
  };
}

test('one row per drill with the window, failed/sent, who held the VIP when, and the takeover', () => {
  const r = rows(report());
  assert.equal(r.length, 2);
  assert.deepEqual([r[0]?.drill, r[0]?.result, r[0]?.window, r[0]?.failed], ['failover', 'ok', '3000 ms', '1 / 3']);
  assert.equal(r[0]?.holders, 'dir1 → none @1.00 s → dir2 @4.00 s');
  assert.match(r[0]?.detail ?? '', /takeover after 3\.00 s \(Master_Down_Interval 3\.61 s\)/);
  assert.match(r[1]?.result ?? '', /^FAILED: timed out/);
  assert.equal(holdersCell([{ fromMs: 0, toMs: 5, holders: ['dir1', 'dir2'] }]), 'dir1+dir2');
});

test('text and markdown tables carry the same rows; markdown escapes pipes', () => {
  const rep = report();
  const text = renderText(rep);
  const md = renderMarkdown(rep);
  assert.match(text, /^drill\s+result\s+no service/m);
  assert.match(text, /^failover\s+ok\s+3000 ms\s+1 \/ 3/m);
  assert.match(md, /^\| drill \| result \| no service \| failed \/ sent \| VIP held by \| measured \|$/m);
  assert.match(md, /timed out \\\| waiting/);
  assert.equal(md.split('\n').filter((l) => l.startsWith('| ')).length, 3);
});

test('the HTML timeline is self-contained: no script, no external resource, text escaped', () => {
  const html = renderHtml(report());
  assert.ok(html.startsWith('<!doctype html>'));
  assert.doesNotMatch(html, /<script/i);
  assert.doesNotMatch(html, /\s(src|href)=/i);
  assert.deepEqual(html.match(/https?:\/\/[^"\s]*/g), ['http://www.w3.org/2000/svg', 'http://www.w3.org/2000/svg'], 'only the SVG namespace');
  assert.equal((html.match(/<svg /g) ?? []).length, 2, 'one timeline per drill');
  assert.ok(html.includes('dir1 &lt;loses&gt; power &amp; &quot;cable&quot;'));
  assert.doesNotMatch(html, /<loses>/);
  // The holder bars, the failed request and the window without service are drawn.
  assert.match(html, /<rect [^>]*fill="#d97706"[^>]*><title>dir2 holds the VIP 4\.00–6\.00 s<\/title>/);
  assert.match(html, /class="fail"/);
  assert.match(html, /class="outage"><title>no service 3000 ms, 1 failed<\/title>/);
});

test('escapeHtml escapes the five characters', () => {
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
});
