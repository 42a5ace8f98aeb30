import { after, before, test } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { oneServerConfig, startChecking } from './harness.js';

let dir = '';

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'halb-file-'));
});

after(() => rmSync(dir, { recursive: true, force: true }));

test('FILE_CHECK (weight 0): 0 in the file is up, non-zero is down, reacting to writes and renames', async () => {
  const file = join(dir, 'state');
  writeFileSync(file, '0\n');
  // A long delay_loop: only the file watch can make the transitions fast.
  const h = startChecking(oneServerConfig({
    rsPort: 80,
    top: `track_file tf {\n  file ${file}\n  weight 0\n}`,
    checkers: '    delay_loop 30\n    FILE_CHECK {\n      track_file tf\n    }',
  }));
  try {
    await h.waitFor(true, 3000);
    writeFileSync(file, '1\n');
    await h.waitFor(false, 3000);
    writeFileSync(join(dir, 'tmp'), '0\n');
    renameSync(join(dir, 'tmp'), file);
    await h.waitFor(true, 3000);
  } finally {
    await h.stop();
  }
});
