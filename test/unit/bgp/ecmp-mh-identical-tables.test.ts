// Consistent real-server choice across ECMP directors: two directors given the same
// virtual_server (the --ecmp lab's configs, which differ only in their halb_bgp router id)
// build the same Maglev table and render the same nftables dispatch, even when built by
// independent processes. That is what lets a flow the router moves to another director
// after a director's loss reach the same real server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { renderDirector } from '../../helpers/ecmp-render.js';

test('two directors with the same virtual_server render identical mh dispatch, also from another process', () => {
  const here = renderDirector('dir1');
  assert.match(here, /jhash/, 'mh dispatches by jhash in nftables');
  assert.equal(renderDirector('dir2'), here);
  const self = fileURLToPath(new URL('../../helpers/ecmp-render.js', import.meta.url));
  const code = `import(${JSON.stringify(self)}).then((m) => process.stdout.write(m.renderDirector('dir3')))`;
  const other = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(other.status, 0, other.stderr);
  assert.equal(other.stdout, here, 'an independent process builds the same table');
});
