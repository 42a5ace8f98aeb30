// The config edits behind the IPVS oracle test (test/vm/ipvs-oracle-keepalived.test.ts)
// give valid configs that say what the oracle needs: no checker is left, and the
// reload step changes weights, real servers and services. halb's own loader reads the
// results here; keepalived reads them in the VM tier.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type LoadResult } from '../../../src/config/index.js';
import { listFixtures, type ConfigFixture } from '../../helpers/config-fixtures.js';
import { checkerFreeCopy, writeReloadStep } from '../../helpers/ipvs-oracle.js';
import { parseBlocks, stripCheckers } from '../../helpers/keepalived-conf-edit.js';
import { describeDiagnostics } from './fixture-load.js';

const load = (f: ConfigFixture, path: string): LoadResult =>
  loadConfig(path, { ...(f.opts.configId !== undefined ? { configId: f.opts.configId } : {}), env: {} });

const fixtures = [...listFixtures('good'), ...listFixtures('seeds')]
  .filter((f) => load(f, f.path).config.virtualServers.length > 0);

type Vs = LoadResult['config']['virtualServers'][number];
const rsKeys = (vs: Vs): string[] => vs.realServers.map((rs) => JSON.stringify([rs.addr, rs.port])).sort();

test('parseBlocks: braces in quotes, comments and ${PARAMS} are not blocks; a lone brace takes the line above', () => {
  const text = 'a "{x}" ${P} ! {\nb\n{\n  c 1\n}\n';
  const blocks = parseBlocks(text);
  assert.equal(blocks.length, 1);
  assert.equal(blocks[0]?.keyword, 'b');
  assert.equal(text.slice(blocks[0]?.start, blocks[0]?.end), 'b\n{\n  c 1\n}\n');
  assert.equal(stripCheckers('r {\n  TCP_CHECK {\n    x { }\n  }\n  w 1\n}\n'), 'r {\n  w 1\n}\n');
});

for (const f of fixtures) {
  test(`${f.kind}/${f.fileName}: the checker-free copy and its reload step load cleanly and differ as the oracle needs`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'halb-oracle-edit-'));
    try {
      const main = checkerFreeCopy(f, dir);
      const ownServices = parseBlocks(readFileSync(main, 'utf8')).filter((b) => b.keyword === 'virtual_server').length;
      const a = load(f, main);
      const orig = load(f, f.path);
      // Stripping may remove an error that sat in a checker (000-dr's nb_get_retry), never add one.
      assert.ok(a.ok || !orig.ok, `stripping checkers broke the config:\n${describeDiagnostics(a)}`);
      assert.equal(a.config.virtualServers.length, orig.config.virtualServers.length);
      for (const vs of a.config.virtualServers) {
        for (const rs of vs.realServers) assert.deepEqual(rs.checkers, [], `${vs.label}: a checker is left`);
      }
      assert.doesNotMatch(readFileSync(main, 'utf8'), /_CHECK\s*\{|(HTTP|SSL)_GET\s*\{/);

      writeReloadStep(dir, main);
      const b = load(f, main);
      assert.equal(b.ok, a.ok, `the reload step broke the config:\n${describeDiagnostics(b)}`);
      const before = new Map(a.config.virtualServers.map((vs) => [vs.label, vs]));
      const after = new Map(b.config.virtualServers.map((vs) => [vs.label, vs]));
      assert.ok([...after.keys()].some((k) => !before.has(k)), 'no service was added');
      if (ownServices >= 2) assert.ok([...before.keys()].some((k) => !after.has(k)), 'no service was removed');
      const kept = [...before.keys()].filter((k) => after.has(k));
      assert.ok(kept.some((k) => JSON.stringify(rsKeys(before.get(k) as Vs)) !== JSON.stringify(rsKeys(after.get(k) as Vs))),
        'no real server set changed');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
