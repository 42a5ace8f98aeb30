import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decomment, shellSplit, splitStatements } from '../../../src/config/lexer.js';

const pos = { file: 'k.conf', line: 7 };

test('comments: # and ! end the line outside quotes, not inside; \\# escapes', () => {
  assert.equal(decomment('router_id x # comment'), 'router_id x ');
  assert.equal(decomment('router_id x ! comment'), 'router_id x ');
  assert.equal(decomment('script "/bin/a #b !c" # d'), 'script "/bin/a #b !c" ');
  assert.equal(decomment('x \\#1'), 'x #1');
});

test('braces split a line into statements, on one line or glued to words', () => {
  const s = splitStatements('virtual_ipaddress { 192.0.2.1 }', pos);
  assert.deepEqual(s.map((x) => [x.words, x.opensBlock, x.closesBlock]), [
    [['virtual_ipaddress'], true, false],
    [['192.0.2.1'], false, false],
    [['}'], false, true],
  ]);
  const g = splitStatements('a b{c}', pos);
  assert.deepEqual(g.map((x) => x.words), [['a', 'b'], ['c'], ['}']]);
  assert.ok(g.every((x) => x.pos === pos));
});

test('general tokenizer: a word starting with " runs to the next ", keeping spaces and braces', () => {
  const [s] = splitStatements('notification_email_from "Ops Team {x}" tail', pos);
  assert.deepEqual(s?.words, ['notification_email_from', 'Ops Team {x}', 'tail']);
  assert.equal(s?.rest, '"Ops Team {x}" tail');
});

test('script tokenizer: quotes anywhere in a word, escapes, single quotes', () => {
  assert.deepEqual(shellSplit('abcd" efg h jkl "mnop').argv, ['abcd efg h jkl mnop']);
  assert.deepEqual(shellSplit(`/bin/x 'a b' "c\\td" \\x41\\101 \\q`).argv, ['/bin/x', 'a b', 'c\td', 'AA', 'q']);
  assert.deepEqual(shellSplit(`'\\n'`).argv, ['\\n']);
  assert.equal(shellSplit('"open').error, 'unterminated " quote');
});
