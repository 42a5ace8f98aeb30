// keepalived 2.2.7 as the oracle for halb's IPVS dataplane. Inside the VM tier's guest
// (a kernel with IPVS), keepalived -C programs IPVS in one namespace and halb -C
// --dataplane ipvs in another, both reading the same file; the sorted `ipvsadm -S -n`
// outputs (plus the timeouts) must be identical at every step:
//   - at start, with the first fixture;
//   - for every config fixture with virtual servers (good/ and the seeds'; bad/ ones
//     are refused by design), loaded by a reload (SIGHUP to both; a fixture with errors,
//     which halb refuses to reload into, by a fresh start of both), and again after its
//     reload step, which changes weights, removes and adds real servers and removes
//     and adds a service (writeReloadStep in test/helpers/ipvs-oracle.ts);
//   - after both stop: keepalived leaves no service, and halb leaves what keepalived does.
// Going from one fixture to the next by reload, not by a fresh start each, keeps the file
// within the tier's time budget (a halb start is ~5-10 s of Node start-up under emulation)
// and applies every fixture as a difference from an unrelated table, the harder case.
//
// Health checkers are removed from the copies both daemons read (stripCheckers in
// test/helpers/keepalived-conf-edit.ts): several fixtures' checkers can never pass
// (HTTP digests of pages that do not exist, MISC_CHECK /bin/false) and the seeds'
// real servers sit in 192.168.0.0/16, which tests may not send traffic to. A real
// server without checkers is up from the start in keepalived and in halb, so the table
// is a function of the configuration alone and no checker can fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { listFixtures, repoRoot, type ConfigFixture } from '../helpers/config-fixtures.js';
import { NetNs } from '../helpers/netns.js';
import { vmGate } from '../helpers/vm.js';
import { NsDaemon, checkerFreeCopy, ipvsReset, ipvsTable, settledTable, writeReloadStep } from '../helpers/ipvs-oracle.js';
import { loadConfig } from '../../src/config/index.js';

const services = (table: string): string[] => table.split('\n').filter((l) => !l.startsWith('#'));

// params.conf's conditional lines want `-i lb1`; no other fixture has any.
const CONFIG_ID = 'lb1';

function hasVirtualServers(f: ConfigFixture): boolean {
  if (/^\s*virtual_server\b/m.test(readFileSync(f.path, 'utf8'))) return true;
  return loadConfig(f.path, { configId: CONFIG_ID, env: {} }).config.virtualServers.length > 0;
}

// HALB_ORACLE_ONLY=REGEX narrows the run to matching fixtures while working on one (never in CI).
const only = process.env.CI === 'true' ? undefined : process.env.HALB_ORACLE_ONLY;
const fixtures = [...listFixtures('good'), ...listFixtures('seeds')].filter(hasVirtualServers)
  .filter((f) => only === undefined || new RegExp(only).test(`${f.kind}/${f.fileName}`));
const cli = join(repoRoot(), 'dist', 'src', 'cli', 'main.js');
const programs = ['ipvsadm', 'keepalived'];

test('the fixture globs feed the IPVS oracle', () => {
  if (only === undefined) assert.ok(fixtures.length >= 25, `only ${fixtures.length} fixtures with virtual servers found`);
  assert.ok(fixtures.every((f) => f.opts.configId === undefined || f.opts.configId === CONFIG_ID));
});

test('halb programs IPVS as keepalived does: every fixture, its reload step, and stop', async (t) => {
  if (!vmGate(t, 'IPVS oracle', programs)) return;
  assert.ok(existsSync(cli), `${cli} is missing: build first`);
  // global-defs.conf names notify FIFOs here; the guest's /run is a fresh tmpfs.
  mkdirSync('/run/halb-fixture', { recursive: true });
  const dir = mkdtempSync('/tmp/halb-oracle-');
  const conf = join(dir, 'conf');
  const main = join(conf, 'keepalived.conf');
  /** The fixture's folder, checker-free, in conf/; its main file (or its reload step) as keepalived.conf. */
  const place = (f: ConfigFixture, reloadStep: boolean): void => {
    rmSync(conf, { recursive: true, force: true });
    const own = checkerFreeCopy(f, conf);
    if (reloadStep) writeReloadStep(conf, own);
    copyFileSync(own, main);
  };
  const kns = NetNs.create('ora-k', []);
  const hns = NetNs.create('ora-h', []);
  let keepalived: NsDaemon | undefined;
  let halb: NsDaemon | undefined;
  try {
    ipvsReset(kns);
    ipvsReset(hns);
    const first = fixtures[0] as ConfigFixture;
    place(first, false);
    let k!: NsDaemon;
    let h!: NsDaemon;
    let mark = 0;
    let reloads = 0;
    const logs = (): string => `\n--- keepalived:\n${k.output.slice(mark)}\n--- halb:\n${h.output.slice(0, 2000)}...\n${h.output.slice(-4000)}`;
    const start = async (what: string): Promise<void> => {
      mark = 0;
      reloads = 0;
      k = new NsDaemon(kns, 'keepalived', ['keepalived', '-n', '-l', '-D', '-G', '-C', '-f', main, '-i', CONFIG_ID,
        // Every pid file of its own: keepalived refuses to start while any of them names a live process.
        '-p', join(dir, 'k.pid'), '-r', join(dir, 'k-vrrp.pid'), '-c', join(dir, 'k-check.pid'), '-b', join(dir, 'k-bfd.pid')], conf);
      h = new NsDaemon(hns, 'halb', [process.execPath, cli, '-n', '-l', '-C', '-f', main, '-i', CONFIG_ID, '--dataplane', 'ipvs',
        '--control-socket', join(dir, 'halb.sock'), '--admin-listen', 'off', '-p', join(dir, 'h.pid')], conf);
      keepalived = k;
      halb = h;
      assert.ok(await k.waitFor(/Startup complete/, 60_000), `${what}: keepalived did not start${logs()}`);
      assert.ok(await h.waitFor(/Starting halb: /, 120_000), `${what}: halb did not start${logs()}`);
      const [k1, h1] = await Promise.all([settledTable(kns), settledTable(hns)]);
      kt = k1;
      assert.notDeepEqual(services(kt), [], `${what}: keepalived programmed no service${logs()}`);
      assert.equal(h1, kt, `${what}: tables differ after start${logs()}`);
    };
    const stop = async (what: string): Promise<void> => {
      await Promise.all([k.stop(), h.stop()]);
      const [k3, h3] = await Promise.all([settledTable(kns, { emptyGraceMs: 0 }), settledTable(hns, { emptyGraceMs: 0 })]);
      assert.deepEqual(services(k3), [], `${what}: keepalived left services${logs()}`);
      assert.equal(h3, k3, `${what}: tables differ after both stopped${logs()}`);
    };
    let kt = '';
    await start(`${first.kind}/${first.fileName}`);

    const setsTimeouts = (): boolean => {
      const lt = loadConfig(main, { configId: CONFIG_ID, env: {} }).config.global.lvsTimeouts;
      return lt.tcpS !== undefined || lt.tcpFinS !== undefined || lt.udpS !== undefined;
    };
    let hadTimeouts = setsTimeouts();
    const step = async (what: string): Promise<void> => {
      mark = k.output.length;
      k.reload();
      h.reload();
      reloads++;
      // Both at once: keepalived's table settles while halb reloads (seconds under emulation).
      let h2: string | undefined;
      const [, k2] = await Promise.all([
        (async () => {
          assert.ok(await h.waitFor(/(reload: \d+ added|reload refused)/, 60_000, reloads), `${what}: halb did not reload${logs()}`);
          // halb logs its reload line once the kernel holds the result: one reading is enough.
          h2 = await ipvsTable(hns);
        })(),
        settledTable(kns, { changedFrom: kt, timeoutMs: 10_000, expect: () => h2 }),
      ]);
      assert.ok(k.running && h.running, `${what}: a daemon exited${logs()}`);
      assert.notDeepEqual(services(k2), [], `${what}: keepalived programmed no service${logs()}`);
      const has = setsTimeouts();
      if (hadTimeouts && !has) {
        // A reload that drops lvs_timeouts: keepalived 2.2.7 puts IPVS's timeouts back to
        // 900 120 300, and so must halb.
        assert.match(k2, /# Timeout \(tcp tcpfin udp\): 900 120 300$/);
      }
      assert.equal(h2, k2, `${what}: tables differ${logs()}`);
      hadTimeouts = has;
      kt = k2;
    };
    for (const f of fixtures) {
      const name = `${f.kind}/${f.fileName}`;
      await t.test(name, async () => {
        if (f !== first) {
          place(f, false);
          if (loadConfig(main, { configId: CONFIG_ID, env: {} }).ok) {
            await step(`${name} (loaded by reload)`);
          } else {
            // halb refuses a reload that brings new errors and keeps the running config
            // (docs/daemon.md#reload); keepalived applies what it could read. Such a
            // fixture (the seeds' nat_mask) is compared from a fresh start instead.
            await stop(`${name}: before a fresh start`);
            await start(`${name} (fresh start: it has errors)`);
            hadTimeouts = setsTimeouts();
          }
        }
        place(f, true);
        await step(`${name}, reload step`);
      });
    }

    await stop('at the end');
  } finally {
    await Promise.all([keepalived?.stop(), halb?.stop()]);
    kns.destroy();
    hns.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});
