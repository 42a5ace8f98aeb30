// For every broken fixture (test/fixtures/config/bad) and every seed configuration
// (test/fixtures/config/seeds), halb rejects exactly what keepalived 2.2.7 rejects and
// blames the same lines: NAME.expect.json holds keepalived's exit status and lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listFixtures, type ConfigFixture } from '../../helpers/config-fixtures.js';
import { describeDiagnostics, errorLineKeys, loadFixture } from './fixture-load.js';

function check(f: ConfigFixture): void {
  const expect = f.expect;
  assert.ok(expect !== undefined, `${f.kind}/${f.name}.expect.json is missing: run record-keepalived-expectations`);
  const r = loadFixture(f);
  const detail = `\nkeepalived (exit ${expect.exit}):\n${expect.messages.map((m) => `  ${m}`).join('\n')}\nhalb:\n${describeDiagnostics(r)}`;
  assert.equal(r.ok, expect.exit === 0, `keepalived exit ${expect.exit} but halb ok=${r.ok}${detail}`);
  assert.deepEqual(errorLineKeys(f, r), expect.lines.map((l) => `${f.fileName}:${l}`), `lines differ${detail}`);
}

const bad = listFixtures('bad');
const seeds = listFixtures('seeds');

test('the bad/ and seeds/ fixture globs match, and each fixture has its recorded expectation', () => {
  assert.ok(bad.length >= 15, `only ${bad.length} bad fixtures`);
  assert.ok(seeds.length >= 5, `only ${seeds.length} seed fixtures`);
  for (const f of [...bad, ...seeds]) assert.ok(f.expect !== undefined, `${f.kind}/${f.name}.expect.json missing`);
  for (const f of bad) assert.notEqual(f.expect?.exit, 0, `bad/${f.fileName} is accepted by keepalived`);
});

for (const f of bad) test(`bad/${f.fileName}: halb rejects it on keepalived's lines`, () => check(f));
for (const f of seeds) test(`seeds/${f.fileName}: halb agrees with keepalived`, () => check(f));
