import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Diagnostics } from '../../../src/config/diagnostics.js';
import { Preprocessor } from '../../../src/config/preprocess.js';
import { memoryFs } from '../../../src/config/source.js';
import { seededRandom } from '../../../src/config/params.js';
import { expandBraces } from '../../../src/config/glob.js';

function run(files: Record<string, string>, main = '/etc/k/keepalived.conf', configId = 'node1', env: Record<string, string> = {}) {
  const diag = new Diagnostics();
  const pre = new Preprocessor({ fs: memoryFs(files), configId, env, random: seededRandom(1) }, diag);
  const stmts = pre.run(main);
  return { lines: stmts.map((s) => `${s.pos.file}:${s.pos.line} ${s.words.join(' ')}${s.opensBlock ? ' {' : ''}`), diag: diag.items, files: pre.files };
}

test('include: globs, brace expansion, paths relative to the including file, sorted', () => {
  const r = run({
    '/etc/k/keepalived.conf': 'a 1\ninclude conf.d/*.conf\ninclude /etc/k/{x,y}.inc\nb 2\n',
    '/etc/k/conf.d/20-b.conf': 'from_b\ninclude ../sub/z.conf\n',
    '/etc/k/conf.d/10-a.conf': 'from_a\n',
    '/etc/k/conf.d/.hidden.conf': 'hidden\n',
    '/etc/k/sub/z.conf': 'from_z\n',
    '/etc/k/x.inc': 'from_x\n',
    '/etc/k/y.inc': 'from_y\n',
  });
  assert.deepEqual(r.lines, [
    '/etc/k/keepalived.conf:1 a 1',
    '/etc/k/conf.d/10-a.conf:1 from_a',
    '/etc/k/conf.d/20-b.conf:1 from_b',
    '/etc/k/sub/z.conf:1 from_z',
    '/etc/k/x.inc:1 from_x',
    '/etc/k/y.inc:1 from_y',
    '/etc/k/keepalived.conf:4 b 2',
  ]);
  assert.deepEqual(r.diag, []);
});

test('include: a missing file is silent for plain include, an error with include_check or includem', () => {
  const quiet = run({ '/etc/k/keepalived.conf': 'include nothere/*.conf\n' });
  assert.deepEqual(quiet.diag, []);
  const checked = run({ '/etc/k/keepalived.conf': 'includem nothere.conf\ninclude_check\ninclude gone/*.conf\n' });
  assert.deepEqual(checked.diag.map((d) => d.line), [1, 3, 3]);
  assert.match(checked.diag[0]?.message ?? '', /no file matches/);
});

test('include: recursion is reported at the include line, not followed forever', () => {
  const r = run({ '/etc/k/keepalived.conf': 'include self.conf\n', '/etc/k/self.conf': 'x\ninclude self.conf\n' });
  assert.equal(r.lines.length, 1);
  assert.equal(r.diag[0]?.line, 2);
  assert.match(r.diag[0]?.message ?? '', /recurse/);
});

test('$NAME parameters: lazy, recursive, ${NAME}, undefined left alone, redefinition', () => {
  const r = run({
    '/etc/k/keepalived.conf': [
      '$A=$B-x', '$B=one', 'k $A ${B}y $UNDEF $1', '$B=two', 'k $A', 'k ${_HASH}${_BANG} ${_PWD} ${_INSTANCE} ${_ENV HOME}',
    ].join('\n'),
  }, '/etc/k/keepalived.conf', 'node1', { HOME: '/root' });
  assert.deepEqual(r.lines, [
    '/etc/k/keepalived.conf:3 k one-x oney $UNDEF $1',
    '/etc/k/keepalived.conf:5 k two-x',
    '/etc/k/keepalived.conf:6 k #! /etc/k node1 /root',
  ]);
});

test('multi-line $NAME with trailing backslashes expands into several lines at the use site', () => {
  const r = run({
    '/etc/k/keepalived.conf': ['$RS=real_server $IP 80 { \\', '  weight 1 \\', '}', '$IP=192.0.2.5', 'vs {', '$RS', '}'].join('\n'),
  });
  assert.deepEqual(r.lines, [
    '/etc/k/keepalived.conf:5 vs {',
    '/etc/k/keepalived.conf:6 real_server 192.0.2.5 80 {',
    '/etc/k/keepalived.conf:6 weight 1',
    '/etc/k/keepalived.conf:6 }',
    '/etc/k/keepalived.conf:7 }',
  ]);
});

test('@ID / @^ID conditional lines follow the config id', () => {
  const text = '@node1 prio 150\n@node2 prio 100\n@^node1 other 1\n@^node2 other 2\n';
  assert.deepEqual(run({ '/k.conf': text }, '/k.conf', 'node1').lines, ['/k.conf:1 prio 150', '/k.conf:4 other 2']);
  assert.deepEqual(run({ '/k.conf': text }, '/k.conf', 'node2').lines, ['/k.conf:2 prio 100', '/k.conf:3 other 1']);
  assert.deepEqual(run({ '/k.conf': text }, '/k.conf', '').lines, []);
});

test('~SEQ and ~LST repeat the rest of the line; they nest and take tuples', () => {
  const r = run({
    '/k.conf': [
      '~SEQ(i, 3) a$i',
      '~SEQ(i, 10, -5, 0) b$i',
      '~SEQx(h, 9, 11) c$h',
      '~LST(n, x, y) ~SEQ(i, 1, 2) d$n$i',
      '~LST({ip,w},{192.0.2.1,1},{192.0.2.2,3}) rs $ip w $w',
      '~SEQ(i, 1, 0, 5) bad',
    ].join('\n'),
  }, '/k.conf');
  assert.deepEqual(r.lines.map((l) => l.replace('/k.conf:', '')), [
    '1 a1', '1 a2', '1 a3',
    '2 b10', '2 b5', '2 b0',
    '3 c9', '3 ca', '3 cb',
    '4 dx1', '4 dx2', '4 dy1', '4 dy2',
    '5 rs 192.0.2.1 w 1', '5 rs 192.0.2.2 w 3',
  ]);
  assert.equal(r.diag.length, 1);
  assert.equal(r.diag[0]?.line, 6);
});

test('csh brace expansion nests and leaves single-element braces literal', () => {
  assert.deepEqual(expandBraces('a{b,c{d,e}}f'), ['abf', 'acdf', 'acef']);
  assert.deepEqual(expandBraces('x{y}z'), ['x{y}z']);
});

test('line numbers are counted through includes', () => {
  const r = run({ '/k.conf': '\n\ninclude i.conf\nlast\n', '/i.conf': '\nfirst\n' }, '/k.conf');
  assert.deepEqual(r.lines, ['/i.conf:2 first', '/k.conf:4 last']);
  assert.deepEqual(r.files, ['/k.conf', '/i.conf']);
});
