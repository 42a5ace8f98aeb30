// The pre-processor and parser never throw on arbitrary text: every input comes back
// as a config plus diagnostics. Bounded to keep the file well under a second or two.
import { test } from 'node:test';
import fc from 'fast-check';
import { parseConfigText } from '../../../src/config/index.js';
import { assertWellFormed } from './fuzz-support.js';

test('random unicode text loads without throwing', () => {
  fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 400 }), (text) => {
    assertWellFormed(parseConfigText(text, '/fuzz.conf', { configId: 'lb1', env: {} }));
  }), { numRuns: 300 });
});

test('random bytes decoded as text (NULs, control characters, lone surrogates) load without throwing', () => {
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (text) => {
    assertWellFormed(parseConfigText(text, '/fuzz.conf', { env: {} }));
  }), { numRuns: 300 });
});

test('random lines over the config alphabet load without throwing', () => {
  const alphabet = fc.constantFrom(...'{}"\'#!$@~\\()=,./:-_ \t\nabcdefghijklmnopqrstuvwxyzSEQLT0123456789');
  fc.assert(fc.property(fc.string({ unit: alphabet, maxLength: 600 }), (text) => {
    assertWellFormed(parseConfigText(text, '/fuzz.conf', { configId: 'lb1', env: {} }));
  }), { numRuns: 400 });
});

test('very long lines and deep nesting load without throwing', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 3000 }), fc.constantFrom('{', '}', 'x ', 'a {\n', '}\n'), (n, unit) => {
    assertWellFormed(parseConfigText(unit.repeat(n), '/fuzz.conf', { env: {} }));
  }), { numRuns: 60 });
});
