// The engine's recovery matches what Debian's keepalived 2.2.7 printed for the same
// input (recorded by hand with `keepalived -t`, see comments).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Diagnostics } from '../../../src/config/diagnostics.js';
import { splitStatements } from '../../../src/config/lexer.js';
import { parseStatements, tableBlock, linesBlock, type KeywordTable } from '../../../src/config/parser.js';

function parse(text: string) {
  const stmts = text.split('\n').flatMap((l, i) => splitStatements(l, { file: 'k.conf', line: i + 1 }));
  const seen: string[] = [];
  const inst: KeywordTable = {
    interface: (s) => { seen.push(`interface ${s.words[1]}`); },
    virtual_ipaddress: () => linesBlock((s) => { seen.push(`vip ${s.words.join(' ')}`); }),
  };
  const top: KeywordTable = {
    vrrp_instance: (s) => tableBlock(inst, () => seen.push(`end ${s.words[1]}`)),
  };
  const diag = new Diagnostics();
  parseStatements(stmts, top, diag);
  return { seen, diag: diag.items.map((d) => `${d.line ?? '-'} ${d.message}`) };
}

test('a well-formed block with a one-line list', () => {
  const r = parse('vrrp_instance VI_1 {\n interface kv0\n virtual_ipaddress { 192.0.2.1 }\n}');
  assert.deepEqual(r.seen, ['interface kv0', 'vip 192.0.2.1', 'end VI_1']);
  assert.deepEqual(r.diag, []);
});

test('brace on the next line opens the block', () => {
  const r = parse('vrrp_instance VI_1\n{\n interface kv0\n}');
  assert.deepEqual(r.seen, ['interface kv0', 'end VI_1']);
  assert.deepEqual(r.diag, []);
});

test('an unknown keyword opening a block: its } closes the enclosing level (keepalived 2.2.7)', () => {
  // keepalived: "(Line 3) Unknown keyword 'weird'", "(Line 3) Unexpected '{' - ignoring",
  // "(Line 4) Unknown keyword 'inner'", then line 6's interface is a top-level unknown keyword,
  // and the final } answers the ignored { silently as "Unknown keyword '}'".
  const r = parse('vrrp_instance VI_1 {\n interface kv0\n weird {\n inner 1\n }\n interface kv1\n}');
  assert.deepEqual(r.seen, ['interface kv0', 'end VI_1']);
  assert.deepEqual(r.diag, [
    "3 Unknown keyword 'weird'", "3 Unexpected '{' - ignoring", "4 Unknown keyword 'inner'",
    "6 Unknown keyword 'interface'", "7 Unknown keyword '}'",
  ]);
});

test('extra } at top level, missing { and missing } at EOF', () => {
  assert.deepEqual(parse('vrrp_instance VI_1 {\n}\n}').diag, ["3 Extra '}' found", "3 Unknown keyword '}'"]);
  // keepalived 2.2.7 enters the block anyway; its } then also closes the parent level.
  const missing = parse('vrrp_instance VI_1\n interface kv0\n}');
  assert.deepEqual(missing.seen, ['interface kv0', 'end VI_1']);
  assert.deepEqual(missing.diag, [
    "2 Missing '{' at beginning of configuration block", "3 Extra '}' found", "3 Unknown keyword '}'",
  ]);
  const vip = parse('vrrp_instance VI_1 {\n virtual_ipaddress\n 192.0.2.1\n }\n}');
  assert.deepEqual(vip.seen, ['vip 192.0.2.1', 'end VI_1']);
  assert.deepEqual(vip.diag, ["5 Extra '}' found", "5 Unknown keyword '}'"], 'value blocks get no Missing message');
  assert.deepEqual(parse('vrrp_instance VI_1 {\n interface kv0\n').diag, ["- There are 1 missing '}'s or extra '{'s"]);
});
