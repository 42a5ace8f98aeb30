import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isLabProcess } from '../../../src/lab/lab-down.js';
import { ipvsRefusal, missingPackages, preflight, programsFor, unsupportedMode } from '../../../src/lab/preflight.js';
import { parseDrillNames } from '../../../src/lab/run-drills.js';
import { ALL_ORDER, DRILLS } from '../../../src/lab/report-types.js';
import { DEFAULT_OPTIONS, type LabOptions } from '../../../src/lab/topology.js';

const opts = (o: Partial<LabOptions> = {}): LabOptions => ({ ...DEFAULT_OPTIONS, ...o });
const none = { nftDataplane: false, realserver: false };
const both = { nftDataplane: true, realserver: true };

test('missing programs are named with the Debian package to install', () => {
  assert.deepEqual(programsFor(opts({ peer: 'keepalived', dataplane: 'nft' })), ['ip', 'bridge', 'sysctl', 'keepalived', 'nft']);
  assert.equal(missingPackages(['ip', 'bridge', 'keepalived'], (p) => p === 'ip'), 'missing bridge, keepalived: apt-get install iproute2 keepalived');
  assert.equal(missingPackages(['ip'], () => true), undefined);
});

test('DR is never faked on the proxy, and nft is required to exist before it is used', () => {
  assert.match(unsupportedMode(opts({ mode: 'dr', dataplane: 'proxy' }), () => both) ?? '', /--mode dr needs a kernel dataplane \(--dataplane ipvs or nft\)/);
  assert.match(unsupportedMode(opts({ dataplane: 'nft' }), () => none) ?? '', /no nftables engine/);
  assert.match(unsupportedMode(opts({ mode: 'dr', dataplane: 'nft' }), () => ({ nftDataplane: true, realserver: false })) ?? '', /halb realserver/);
  assert.equal(unsupportedMode(opts({ mode: 'dr', dataplane: 'nft' }), () => both), undefined);
  let asked = false;
  assert.equal(unsupportedMode(opts(), () => { asked = true; return none; }), undefined);
  assert.equal(asked, false, 'the proxy in NAT mode needs nothing probed');
});

test('--dataplane ipvs: DR is the kernel\'s, no nftables engine is asked for, and a kernel without IPVS is refused before anything is built', async (t) => {
  assert.equal(unsupportedMode(opts({ mode: 'dr', dataplane: 'ipvs' }), () => ({ nftDataplane: false, realserver: true })), undefined);
  assert.match(unsupportedMode(opts({ mode: 'dr', dataplane: 'ipvs' }), () => ({ nftDataplane: true, realserver: false })) ?? '', /halb realserver/);
  const msg = ipvsRefusal('this kernel (6.1) has no IPVS: no ip_vs module and no /proc/net/ip_vs', opts({ mode: 'dr', dataplane: 'ipvs' }));
  assert.match(msg, /^--dataplane ipvs: this kernel \(6\.1\) has no IPVS.*Use --dataplane nft --mode dr/);
  if (process.getuid?.() !== 0 || missingPackages(programsFor(opts())) !== undefined) {
    t.diagnostic('not root or no iproute2: preflight() itself not driven');
    return;
  }
  let probed = 0;
  await assert.rejects(preflight(opts({ mode: 'dr', dataplane: 'ipvs' }), () => both, async () => { probed++; return 'no IPVS here'; }),
    /--dataplane ipvs: no IPVS here; the lab's directors cannot run the IPVS engine here/);
  await preflight(opts({ mode: 'dr', dataplane: 'ipvs' }), () => both, async () => { probed++; return undefined; });
  await preflight(opts({ dataplane: 'nft' }), () => both, async () => { probed++; return 'never asked'; });
  assert.equal(probed, 2, 'only --dataplane ipvs asks the kernel');
});

test('drill names: one, a list, or all in the order that chains them', () => {
  assert.deepEqual(parseDrillNames('failover'), ['failover']);
  assert.deepEqual(parseDrillNames('rs-down, rs-up'), ['rs-down', 'rs-up']);
  assert.deepEqual(parseDrillNames('all'), [...ALL_ORDER]);
  assert.deepEqual([...ALL_ORDER].sort(), [...DRILLS].sort(), 'all runs every drill once');
  assert.throws(() => parseDrillNames('explode'), /unknown drill explode/);
  assert.throws(() => parseDrillNames(''), /unknown drill/);
});

test('a sweep recognises the lab\'s own processes by their command line only', () => {
  const dir = '/run/halb-lab/default';
  assert.ok(isLabProcess(['node', '/x/web-server.js', '--name', 'rs1', '--lab', dir], dir));
  assert.ok(isLabProcess(['node', '/x/dist/src/cli/main.js', '-n', '-l', '-f', `${dir}/dir1.conf`], dir));
  assert.ok(isLabProcess(['keepalived', '-n', '-P', '-f', `${dir}/dir2.conf`], dir));
  assert.ok(!isLabProcess(['tail', '-f', `${dir}/dir1.log`, '--lab'], dir), 'an operator\'s tail is left alone');
  assert.ok(!isLabProcess(['tail', '-f', `${dir}/dir1.conf`], dir), 'whatever file it follows');
  assert.ok(!isLabProcess(['node', 'x', '--lab', `${dir}2`], dir));
  assert.ok(!isLabProcess(['keepalived', '-f', '/run/halb-lab/default2/dir1.conf'], dir), 'another lab\'s directory');
});
