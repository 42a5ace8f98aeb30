// Shared by the config fuzz tests: the vocabulary token soups are made of (real
// keywords, read from the fixtures so it grows with them), and the checks every
// load result must pass whatever the input was.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { LoadResult } from '../../../src/config/index.js';
import { listFixtures, type ConfigFixture } from '../../helpers/config-fixtures.js';

const severities = new Set(['fatal', 'error', 'warning']);

/** What any load must return, for any input: a config, well-formed diagnostics, ok matching them, JSON-able. */
export function assertWellFormed(r: LoadResult): void {
  assert.ok(Array.isArray(r.diagnostics));
  for (const d of r.diagnostics) {
    assert.ok(severities.has(d.severity), `bad severity ${String(d.severity)}`);
    assert.equal(typeof d.message, 'string');
    assert.notEqual(d.message, '');
    if (d.line !== undefined) {
      assert.ok(Number.isInteger(d.line) && d.line >= 1, `bad line ${d.line}`);
      assert.equal(typeof d.file, 'string');
    }
  }
  assert.equal(r.ok, !r.diagnostics.some((d) => d.severity === 'error' || d.severity === 'fatal'));
  assert.ok(r.config !== undefined && r.config !== null);
  // --dump-config prints the model as JSON: it must never be cyclic or unserialisable.
  JSON.stringify(r.config);
}

export function allFixtures(): ConfigFixture[] {
  return [...listFixtures('good'), ...listFixtures('bad'), ...listFixtures('seeds')];
}

export function fixtureTexts(): string[] {
  return allFixtures().map((f) => readFileSync(f.path, 'utf8'));
}

/** First words of fixture lines (keywords of every level) and block-opening words. */
export function keywordVocabulary(): string[] {
  const words = new Set<string>();
  for (const text of fixtureTexts()) {
    for (const raw of text.split('\n')) {
      const line = raw.replace(/[#!].*$/, '').trim();
      const first = line.split(/\s+/)[0] ?? '';
      if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(first)) words.add(first);
    }
  }
  return [...words].sort();
}

/** Values keywords take, with the edges of their ranges. */
export const VALUE_TOKENS: readonly string[] = [
  '0', '1', '-1', '2', '3', '100', '253', '254', '255', '256', '65535', '65536', '2147483647', '2147483648',
  '4294967296', '0.5', '1.5', '-0', '1e3', '0x10', 'abc', '',
  '192.0.2.1', '192.0.2.1/24', '192.0.2.300', '192.0.2.3-10', '198.51.100.0/33', '2001:db8::1', '2001:db8::1/64',
  '2001:db8::2-9', 'fe80::1%kv0', 'kv0', 'kv1', 'kv9', 'MASTER', 'BACKUP', 'PASS', 'AH', 'NAT', 'DR', 'TUN',
  'rr', 'wrr', 'wlc', 'mh', 'TCP', 'UDP', 'SCTP', 'inet6', 'weight', 'reverse', 'dev', 'via', 'table',
  '"/usr/bin/test -e /run/x"', '"unterminated', "'single'", '“curly”', 'on', 'off', 'yes', 'no',
];

/** Pre-processor syntax: definitions, substitutions, conditionals, sequences, includes. */
export const PREPROCESSOR_TOKENS: readonly string[] = [
  '$X=1', '$X=', '$Y=${X}', '$X', '${X}', '${Y}', '${_INSTANCE}', '${_PWD}', '${_RANDOM 1 5}', '${_HASH}',
  '${_BANG}', '${UNDEFINED', '$=', '\\', '@lb1', '@^lb1', '@', '~SEQ(I, 1, 3)', '~SEQ(I, 3, -1, 1)',
  '~SEQx(I, 0x9, 0xb)', '~SEQ(I)', '~SEQ(', '~LST(I, a, b)', '~LST({A,B},{1,2},{3,4})', '~LST()',
  'include', 'include /fuzz/none.conf', 'includea /fuzz/*.conf', 'includer', 'include_check', '#', '!',
  '\\#', '"', '{', '}', '{}', '}{',
];
