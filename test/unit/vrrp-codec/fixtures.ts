// Loads the hex vectors in test/fixtures/vrrp/. Format: lines starting with '#' are
// comments; `# key: value` comments with a known key (kind, family, framing, ctx.*,
// expect.*) are metadata; everything else is hex, whitespace ignored.
// Names: `keepalived-<version>-<what>-vrid<N>.hex` for adverts captured from a real
// keepalived (netns tests add more of these), `handmade-<what>-vrid<N>.hex` for vectors
// written by hand from the RFC layouts, `keepalived-<version>-garp-…` / `-na-…` for frames.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

export interface Fixture {
  readonly name: string;
  readonly meta: ReadonlyMap<string, string>;
  readonly bytes: Buffer;
}

const META_RE = /^#\s*((?:expect|ctx)\.\w+|kind|family|framing):\s*(.*?)\s*$/;

function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    assert.notEqual(up, dir, 'package.json not found above the test file');
    dir = up;
  }
  return dir;
}

export const FIXTURE_DIR = join(repoRoot(), 'test', 'fixtures', 'vrrp');

export function parseFixture(name: string, text: string): Fixture {
  const meta = new Map<string, string>();
  let hex = '';
  for (const line of text.split('\n')) {
    if (line.trimStart().startsWith('#')) {
      const m = META_RE.exec(line.trim());
      if (m) meta.set(m[1]!, m[2]!);
    } else {
      hex += line.replace(/\s+/g, '');
    }
  }
  assert.match(hex, /^([0-9a-f]{2})+$/i, `${name}: body is not whole bytes of hex`);
  return { name, meta, bytes: Buffer.from(hex, 'hex') };
}

/** Every *.hex fixture whose name matches `pattern`; fails when none does, so an empty glob cannot pass. */
export function loadFixtures(pattern: RegExp): Fixture[] {
  const names = readdirSync(FIXTURE_DIR).filter((n) => n.endsWith('.hex') && pattern.test(n)).sort();
  assert.ok(names.length > 0, `no fixture in ${FIXTURE_DIR} matches ${pattern}`);
  return names.map((n) => parseFixture(n, readFileSync(join(FIXTURE_DIR, n), 'utf8')));
}

export function need(f: Fixture, key: string): string {
  const v = f.meta.get(key);
  assert.ok(v !== undefined, `${f.name}: missing "# ${key}:" line`);
  return v;
}

/** RFC 1071 checksum, written independently of src/vrrp/proto/checksum.ts for cross-checking. */
export function referenceChecksum(...parts: Uint8Array[]): number {
  const all = Buffer.concat(parts);
  const words: number[] = [];
  for (let i = 0; i < all.length; i += 2) words.push(all[i]! * 256 + (all[i + 1] ?? 0));
  let s = words.reduce((a, w) => a + w, 0);
  while (s > 0xffff) s = Math.floor(s / 65536) + (s % 65536);
  return 0xffff - s;
}
