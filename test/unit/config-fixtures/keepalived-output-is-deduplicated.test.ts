// The reader of keepalived -t output that the fixture expectations and the netns
// comparison rely on: keepalived repeats messages once per parsing process and drops
// the file name from some copies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lineKeys, mainFileLines, parseHalbOutput, parseKeepalivedOutput } from '../../helpers/keepalived-output.js';

// Captured from keepalived 2.2.7 on bad/missing-open-brace.conf (abridged).
const captured = [
  "(missing-open-brace.conf: Line 12) Unknown keyword 'virtual_ipaddress'",
  "(Line 12) Unknown keyword 'virtual_ipaddress'",
  "(missing-open-brace.conf: Line 15) Extra '}' found",
  "(Line 15) Extra '}' found",
  "(missing-open-brace.conf: Line 15) Extra '}' found",
  "(missing-open-brace.conf: Line 9) Missing '{' at beginning of configuration block",
  "There are 1 missing '}'s or extra '{'s",
  "There are 1 missing '}'s or extra '{'s",
  "(Line 2) Config files missing '/nonexistent/*.conf'.",
  "(includes.d/vrrp-kv1.conf: Line 11) Unknown keyword 'bogus1'",
  '',
].join('\n');

test('repeated and file-less copies collapse to one message each', () => {
  const msgs = parseKeepalivedOutput(captured, '/fx');
  assert.deepEqual(msgs.map((m) => m.raw), [
    "(missing-open-brace.conf: Line 12) Unknown keyword 'virtual_ipaddress'",
    "(missing-open-brace.conf: Line 15) Extra '}' found",
    "(missing-open-brace.conf: Line 9) Missing '{' at beginning of configuration block",
    "There are 1 missing '}'s or extra '{'s",
    "(Line 2) Config files missing '/nonexistent/*.conf'.",
    "(includes.d/vrrp-kv1.conf: Line 11) Unknown keyword 'bogus1'",
  ]);
  assert.deepEqual(msgs[1], { file: 'missing-open-brace.conf', line: 15, text: "Extra '}' found", raw: msgs[1]?.raw });
});

test('a file-less line counts for the main file; lines of other files are kept apart', () => {
  const msgs = parseKeepalivedOutput(captured, '/fx');
  assert.deepEqual(mainFileLines(msgs, 'missing-open-brace.conf'), [2, 9, 12, 15]);
  assert.deepEqual(lineKeys(msgs, 'missing-open-brace.conf'), [
    'includes.d/vrrp-kv1.conf:11',
    'missing-open-brace.conf:2', 'missing-open-brace.conf:9', 'missing-open-brace.conf:12', 'missing-open-brace.conf:15',
  ]);
});

test('absolute and relative spellings of a file compare equal', () => {
  const k = parseKeepalivedOutput('(/fx/a.conf: Line 3) x\n', '/fx');
  const h = parseHalbOutput('error: (/fx/./a.conf: Line 3) y\n', '/fx');
  assert.deepEqual(lineKeys(k, 'a.conf'), lineKeys(h, 'a.conf'));
});

test('halb output: severities are read, and a line that is not a diagnostic counts as an error', () => {
  const h = parseHalbOutput([
    "warning: (a.conf: Line 4) nopreempt has no effect with state MASTER",
    "error: (a.conf: Line 5) Unknown keyword 'priorty'",
    'fatal: Configuration file \'b.conf\' does not exist',
    'TypeError: boom',
  ].join('\n'), '/fx');
  assert.deepEqual(h.map((m) => [m.severity, m.line]), [['warning', 4], ['error', 5], ['fatal', undefined], ['error', undefined]]);
});
