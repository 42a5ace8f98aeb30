// Token soups of real keywords, values, braces and pre-processor syntax: lines that
// look like keepalived.conf but are put together at random reach the keyword
// handlers, the block stack and the pre-processor, and must only ever produce
// diagnostics.
import { test } from 'node:test';
import fc from 'fast-check';
import { loadConfig, memoryFs, parseConfigText } from '../../../src/config/index.js';
import { PREPROCESSOR_TOKENS, VALUE_TOKENS, assertWellFormed, keywordVocabulary } from './fuzz-support.js';

const keywords = keywordVocabulary();

const token = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...keywords) },
  { weight: 4, arbitrary: fc.constantFrom(...VALUE_TOKENS) },
  { weight: 3, arbitrary: fc.constantFrom('{', '}', '\n', '\n', '\n') },
  { weight: 1, arbitrary: fc.constantFrom(...PREPROCESSOR_TOKENS) },
  { weight: 1, arbitrary: fc.integer({ min: -300, max: 70000 }).map(String) },
);
const soup = fc.array(token, { maxLength: 250 }).map((ts) => ts.join(' '));

/** A line that starts with a keyword and carries a few values, optionally opening or closing a block. */
const statement = fc.tuple(
  fc.constantFrom(...keywords),
  fc.array(fc.constantFrom(...VALUE_TOKENS), { maxLength: 4 }),
  fc.constantFrom('', '', ' {', ' }', '\n}'),
).map(([k, vs, end]) => `${k} ${vs.join(' ')}${end}`);
const structured = fc.array(statement, { maxLength: 120 }).map((ls) => ls.join('\n'));

test('keyword token soups load without throwing', () => {
  fc.assert(fc.property(soup, fc.constantFrom<string | undefined>('lb1', 'lb2', undefined), (text, id) => {
    assertWellFormed(parseConfigText(text, '/fuzz.conf', { ...(id !== undefined ? { configId: id } : {}), env: {} }));
  }), { numRuns: 250 });
});

test('keyword statements with random values and braces load without throwing', () => {
  fc.assert(fc.property(structured, (text) => {
    assertWellFormed(parseConfigText(text, '/fuzz.conf', { configId: 'lb1', env: {} }));
  }), { numRuns: 250 });
});

test('soups spread over included files load without throwing', () => {
  fc.assert(fc.property(soup, soup, soup, (main, a, b) => {
    const fs = memoryFs({
      '/fuzz/keepalived.conf': `include conf.d/*.conf\n${main}\ninclude /fuzz/keepalived.conf\n`,
      '/fuzz/conf.d/a.conf': a,
      '/fuzz/conf.d/b.conf': `${b}\nincludea ../conf.d/{a,c}.conf\n`,
    });
    assertWellFormed(loadConfig('/fuzz/keepalived.conf', { fs, configId: 'lb1', env: {} }));
  }), { numRuns: 100 });
});
