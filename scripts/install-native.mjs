#!/usr/bin/env node
// npm's install step for halb's native addon: use the addon already there (a source
// build in native/build, or the prebuild the package ships in native/prebuilds/ for
// linux-x64), and only when none loads, build it from source with node-gyp. So
// `npm install -g halb` needs no compiler on a platform with a prebuild.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../native/', import.meta.url));
const require = createRequire(import.meta.url);
try {
  const path = require('node-gyp-build').path(dir);
  require(path);
  console.log(`halb: native addon ${path.slice(dir.length)}`);
  process.exit(0);
} catch (e) {
  console.log(`halb: no usable native addon (${String(e.message).split('\n')[0]}); building it from source with node-gyp`);
}
const r = spawnSync('node-gyp', ['rebuild', '--directory', dir], { stdio: 'inherit' });
if (r.error !== undefined) console.error(`halb: node-gyp: ${r.error.message}`);
process.exit(r.status ?? 1);
