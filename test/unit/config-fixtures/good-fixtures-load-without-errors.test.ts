// Every configuration keepalived 2.2.7 accepts without a word (test/fixtures/config/good)
// loads in halb with ok === true and no error or fatal diagnostic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listFixtures } from '../../helpers/config-fixtures.js';
import { describeDiagnostics, isProblem, loadFixture } from './fixture-load.js';

const fixtures = listFixtures('good');

test('the good/ fixture glob matches the fixtures keepalived accepts', () => {
  assert.ok(fixtures.length >= 20, `only ${fixtures.length} good fixtures`);
});

for (const f of fixtures) {
  test(`good/${f.fileName} loads with no error`, () => {
    const r = loadFixture(f);
    const problems = r.diagnostics.filter(isProblem);
    assert.deepEqual(problems, [], `halb reports problems keepalived does not:\n${describeDiagnostics(r)}`);
    assert.equal(r.ok, true);
    assert.equal(r.files[0], f.path);
  });
}
