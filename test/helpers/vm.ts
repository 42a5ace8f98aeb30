// Gate for the VM tier (test/vm/): these tests need a kernel with IPVS, which the
// build machine lacks, so they run inside the QEMU guest that scripts/vm/run.mjs boots
// (it sets HALB_IN_VM=1). Run directly on the host they skip loudly, or fail under
// CI=true, and name the command that runs them.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { TestContext } from 'node:test';
import { netnsUnavailable } from './netns.js';

/** Why VM-tier tests cannot run here, or undefined when they can. */
export function vmUnavailable(programs: readonly string[] = []): string | undefined {
  if (process.env.HALB_IN_VM !== '1') return 'not inside the test VM';
  const netns = netnsUnavailable(programs);
  if (netns !== undefined) return netns;
  const r = spawnSync('modprobe', ['ip_vs'], { encoding: 'utf8' });
  if (r.status !== 0 || !existsSync('/proc/net/ip_vs')) {
    return `the guest kernel cannot load ip_vs: ${(r.stderr ?? '').trim() || (r.error?.message ?? 'no /proc/net/ip_vs')}`;
  }
  return undefined;
}

/** Like gate() in netns.ts, for tests that need the VM's kernel. */
export function vmGate(t: TestContext, what: string, programs: readonly string[] = []): boolean {
  const why = vmUnavailable(programs);
  if (why === undefined) return true;
  const how = 'run it with: flock /tmp/halb-vm.lock node scripts/vm/run.mjs dist/test/vm/FILE.test.js';
  if (process.env.CI === 'true') throw new Error(`${what}: cannot run under CI: ${why} (${how})`);
  process.stderr.write(`\n*** SKIPPED: ${what}: ${why} (${how}) ***\n\n`);
  t.skip(`${what}: ${why}`);
  return false;
}
