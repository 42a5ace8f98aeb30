// Mutated fixtures: real configurations with lines deleted, duplicated or swapped and
// characters flipped, the kind of damage hand edits and bad merges do. The loader must
// still return a config and diagnostics.
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { loadConfig, memoryFs, parseConfigText } from '../../../src/config/index.js';
import { fixture } from '../../helpers/config-fixtures.js';
import { assertWellFormed, fixtureTexts } from './fuzz-support.js';

type Mutation =
  | { kind: 'delete'; at: number }
  | { kind: 'duplicate'; at: number }
  | { kind: 'swap'; at: number; with: number }
  | { kind: 'flip'; at: number; char: string };

const flipChars = '{}"\'#!$@~\\()=,. \t\n0129abz\u0000\u201c\u00e9';

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('swap' as const), at: fc.nat(), with: fc.nat() }),
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), char: fc.constantFrom(...flipChars) }),
);

function mutate(text: string, ms: readonly Mutation[]): string {
  let lines = text.split('\n');
  for (const m of ms) {
    if (lines.length === 0) break;
    const i = m.at % lines.length;
    if (m.kind === 'delete') lines.splice(i, 1);
    else if (m.kind === 'duplicate') lines.splice(i, 0, lines[i] as string);
    else if (m.kind === 'swap') {
      const j = m.with % lines.length;
      [lines[i], lines[j]] = [lines[j] as string, lines[i] as string];
    } else {
      const joined = lines.join('\n');
      const p = m.at % Math.max(1, joined.length);
      lines = `${joined.slice(0, p)}${m.char}${joined.slice(p + 1)}`.split('\n');
    }
  }
  return lines.join('\n');
}

const texts = fixtureTexts();

test('mutated fixtures load without throwing', () => {
  fc.assert(fc.property(fc.nat({ max: texts.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 8 }), (n, ms) => {
    const text = mutate(texts[n] as string, ms);
    assertWellFormed(parseConfigText(text, '/fuzz.conf', { configId: 'lb1', env: {} }));
  }), { numRuns: 300 });
});

test('the includes fixture with its included files mutated loads without throwing', () => {
  const main = fixture('good', 'includes');
  const parts = ['includes.conf', 'includes.d/vrrp-kv0.conf', 'includes.d/vrrp-kv1.conf', 'includes.d/lvs-web.conf', 'includes.d/lvs-mail.conf'];
  const original = parts.map((p) => readFileSync(join(main.dir, p), 'utf8'));
  fc.assert(fc.property(fc.array(fc.array(mutation, { maxLength: 4 }), { minLength: parts.length, maxLength: parts.length }), (perFile) => {
    const files: Record<string, string> = {};
    parts.forEach((p, i) => { files[`/fx/${p}`] = mutate(original[i] as string, perFile[i] ?? []); });
    assertWellFormed(loadConfig('/fx/includes.conf', { fs: memoryFs(files), env: {} }));
  }), { numRuns: 150 });
});
