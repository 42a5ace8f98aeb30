// The dashboard is three same-origin files: the page loads only its own script and
// style, the script compiles, and nothing points at another host.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DASHBOARD_CSS, DASHBOARD_HTML } from '../../../src/api/dashboard-page.js';
import { DASHBOARD_JS } from '../../../src/api/dashboard-script.js';
import { sseFrame } from '../../../src/api/sse.js';

test('the script compiles and the page loads only same-origin assets', () => {
  assert.doesNotThrow(() => new Function(DASHBOARD_JS), 'the script is valid JavaScript');
  assert.match(DASHBOARD_JS, /fetch\('\/api\/v1\/events'/);
  assert.match(DASHBOARD_JS, /indexOf\('\\n\\n'\)/, 'escapes survive String.raw');
  const refs = [...DASHBOARD_HTML.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(refs, ['/dashboard.css', '/dashboard.js']);
  for (const text of [DASHBOARD_HTML, DASHBOARD_CSS, DASHBOARD_JS]) {
    assert.doesNotMatch(text, /https?:\/\/(?!www\.w3\.org\/2000\/svg)/, 'no external URL');
    assert.doesNotMatch(text, /@import|url\(/, 'no fetched style resources');
  }
});

test('event-stream frames are one JSON data line', () => {
  assert.equal(sseFrame('status', { a: 'x\ny' }, 7), 'id: 7\nevent: status\ndata: {"a":"x\\ny"}\n\n');
  assert.equal(sseFrame('hello', []), 'event: hello\ndata: []\n\n');
});
