// Shared by the fixture tests: load a fixture the way `halb -t` inside the test netns
// would (its config id, the fixture host's interfaces), and read the lines it blames.
import { relative } from 'node:path';
import { loadConfig, type LoadResult } from '../../../src/config/index.js';
import { fixtureHost, fixtureScripts, type ConfigFixture } from '../../helpers/config-fixtures.js';

export function loadFixture(f: ConfigFixture): LoadResult {
  return loadConfig(f.path, {
    ...(f.opts.configId !== undefined ? { configId: f.opts.configId } : {}),
    env: {},
    host: fixtureHost(),
    scripts: fixtureScripts(),
  });
}

export function isProblem(d: LoadResult['diagnostics'][number]): boolean {
  return d.severity === 'error' || d.severity === 'fatal';
}

/** `file:line` of every error/fatal diagnostic with a line, file relative to the fixture folder. */
export function errorLineKeys(f: ConfigFixture, r: LoadResult): string[] {
  const keys = new Set<string>();
  for (const d of r.diagnostics) {
    if (!isProblem(d) || d.line === undefined) continue;
    keys.add(`${d.file === undefined ? f.fileName : relative(f.dir, d.file)}:${d.line}`);
  }
  return [...keys].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

export function describeDiagnostics(r: LoadResult): string {
  return r.diagnostics.map((d) => `  ${d.severity}: ${d.file !== undefined ? `(${d.file}: Line ${d.line}) ` : ''}${d.message}`).join('\n');
}
