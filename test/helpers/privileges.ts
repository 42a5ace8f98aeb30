// Root-only tests: in CI (CI=true, run as root) a test that cannot run must fail, never
// skip; elsewhere it skips and says loudly what was skipped and why.
import type { TestContext } from 'node:test';

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** Returns true when the test may go on; otherwise skips it (or fails under CI). */
export function requireRoot(t: TestContext, what: string): boolean {
  if (isRoot()) return true;
  const why = `${what} needs root (raw sockets / network namespaces)`;
  if (process.env.CI === 'true') throw new Error(`CI=true but ${why}: refusing to skip`);
  process.stderr.write(`\n*** SKIPPED: ${why}; run the suite as root to include it ***\n`);
  t.skip(why);
  return false;
}
