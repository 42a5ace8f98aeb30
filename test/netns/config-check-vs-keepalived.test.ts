// `halb -t` beside the real `keepalived -t` on every config fixture (good, bad, seeds),
// inside a fresh network namespace that has the veths the fixtures name, so both see
// the same host. For each fixture: both accept it (exit 0) or both reject it, and
// the sets of file:line named by their messages are equal (keepalived's repeated and
// file-less copies deduplicated; halb's warnings are advice keepalived does not give,
// so only its errors count).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  FIXTURE_LINKS, checkArgs, listFixtures, repoRoot, type ConfigFixture,
} from '../helpers/config-fixtures.js';
import { lineKeys, parseHalbOutput, parseKeepalivedOutput } from '../helpers/keepalived-output.js';
import { NetNs, gate, netnsUnavailable } from '../helpers/netns.js';

const fixtures: ConfigFixture[] = [...listFixtures('good'), ...listFixtures('bad'), ...listFixtures('seeds')];
const cli = join(repoRoot(), 'dist', 'src', 'cli', 'main.js');

let ns: NetNs | undefined;
let ready = false;

before(() => {
  // gate() decides per test whether to skip or fail; the namespace is made only when it can be.
  if (netnsUnavailable(['keepalived']) !== undefined) return;
  ns = NetNs.create('cfgcheck', FIXTURE_LINKS);
  ready = true;
});

after(() => {
  ns?.destroy();
});

interface Outcome { exit: number; keys: string[]; text: string }

function runKeepalived(n: NetNs, f: ConfigFixture): Outcome {
  const r = n.run('keepalived', checkArgs(f), { cwd: f.dir, timeoutMs: 20_000 });
  const out = `${r.stdout}${r.stderr}`;
  const msgs = parseKeepalivedOutput(out, f.dir);
  return { exit: r.status ?? 128, keys: lineKeys(msgs, f.fileName), text: msgs.map((m) => `  ${m.raw}`).join('\n') };
}

function runHalb(n: NetNs, f: ConfigFixture): Outcome {
  const r = n.run(process.execPath, [cli, ...checkArgs(f)], { cwd: f.dir, timeoutMs: 30_000 });
  const msgs = parseHalbOutput(r.stderr, f.dir);
  const errors = msgs.filter((m) => m.severity !== 'warning');
  return { exit: r.status ?? 128, keys: lineKeys(errors, f.fileName), text: msgs.map((m) => `  ${m.raw}`).join('\n') };
}

test('the fixture globs feed this comparison', () => {
  assert.ok(fixtures.length >= 40, `only ${fixtures.length} fixtures found`);
});

for (const f of fixtures) {
  test(`${f.kind}/${f.fileName}: halb -t agrees with keepalived -t`, (t) => {
    if (!gate(t, `config check vs keepalived (${f.kind}/${f.fileName})`, ['keepalived'])) return;
    assert.ok(existsSync(cli), `${cli} is missing: build first (npx tsc -p tsconfig.json)`);
    assert.ok(ready && ns !== undefined, 'the test namespace was not created');
    const k = runKeepalived(ns, f);
    const h = runHalb(ns, f);
    const detail = `\nkeepalived -t (exit ${k.exit}):\n${k.text}\nhalb -t (exit ${h.exit}):\n${h.text}`;
    assert.equal(h.exit === 0, k.exit === 0, `exit status disagrees${detail}`);
    assert.deepEqual(h.keys, k.keys, `lines named differ${detail}`);
  });
}
