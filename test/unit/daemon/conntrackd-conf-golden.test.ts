// conntrackd.conf as halb writes it for halb_conntrack_sync (multicast on the instance's
// interface; UDP to the instance's only unicast peer), against golden files under
// test/fixtures/conntrackd/ (HALB_UPDATE_GOLDEN=1 rewrites them). The multicast file was
// run by Debian's conntrackd 1.4.7 in the lab's netns (lab-long-lived-survive-failover).
// Also: which addresses are ignored (the VIPs never), the parse of `conntrackd -s`, and
// when a startup resync counts as arrived.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderConntrackdConf } from '../../../src/daemon/conntrackd-conf.js';
import { resolveConntrackSync, resyncSettled } from '../../../src/daemon/conntrack-sync.js';
import { parseConntrackdStats } from '../../../src/sys/conntrackd.js';
import { conf, parse } from '../config-lvs/parse-helper.js';

const FIXTURES = fileURLToPath(new URL('../../../../test/fixtures/conntrackd/', import.meta.url));
const UPDATE = process.env.HALB_UPDATE_GOLDEN === '1';

function golden(name: string, text: string): void {
  const file = `${FIXTURES}${name}.conf`;
  if (UPDATE) {
    writeFileSync(file, text);
    return;
  }
  assert.ok(existsSync(file), `golden file ${file} is missing: run with HALB_UPDATE_GOLDEN=1`);
  assert.equal(text, readFileSync(file, 'utf8'), `${name}.conf differs from the render (HALB_UPDATE_GOLDEN=1 to accept)`);
}

const HOST: Record<string, string[]> = { eth0: ['192.0.2.2', '192.0.2.130', '192.0.2.100', 'fe80::1'], lo: ['127.0.0.1', '::1'] };
const addrs = (ifname?: string): string[] => (ifname === undefined ? Object.values(HOST).flat() : HOST[ifname] ?? []);

const base = (extra: string[], peer: string[] = []): string => conf(
  'global_defs {', '   router_id dir1', ...extra, '}',
  'vrrp_instance VI_1 {', '    state MASTER', '    interface eth0', '    virtual_router_id 51', '    priority 150',
  ...peer,
  '    virtual_ipaddress {', '        192.0.2.100', '    }', '}',
  'virtual_server 192.0.2.100 80 {', '    lb_algo rr', '    lb_kind NAT', '    protocol TCP',
  '    real_server 192.0.2.141 80 {', '        weight 1', '    }', '}',
);

test('multicast on the instance interface; UDP to its only unicast peer: golden files', () => {
  const cases = {
    'multicast-lab-dir1': base(['   halb_conntrack_sync VI_1']),
    'udp-unicast-peer': base(['   halb_conntrack_sync VI_1 port 3781'], ['    unicast_peer {', '        192.0.2.3', '    }']),
  };
  for (const [name, text] of Object.entries(cases)) {
    const p = parse(text);
    assert.ok(p.ok, p.lines.join('\n'));
    const r = resolveConntrackSync(p.config, { base: '/run/halb-lab/default/dir1.sock', origin: '/k.conf' }, addrs);
    assert.ok(r?.ok === true, JSON.stringify(r));
    golden(name, renderConntrackdConf(r.sync.conf));
    // The VIP moves with VRRP: its connections are the ones to replicate.
    assert.ok(!r.sync.conf.ignore.includes('192.0.2.100'));
    assert.ok(r.sync.conf.ignore.includes('192.0.2.130'));
  }
  const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.conf'));
  assert.deepEqual(files.sort(), Object.keys(cases).map((n) => `${n}.conf`).sort());
});

test('no keyword: off; an unknown instance or an address-less interface: a reason with file:line', () => {
  assert.equal(resolveConntrackSync(parse(base([])).config, { base: '/x', origin: '/k.conf' }, addrs), undefined);
  const bad = resolveConntrackSync(parse(base(['   halb_conntrack_sync VI_9'])).config, { base: '/x', origin: '/k.conf' }, addrs);
  assert.deepEqual(bad, { ok: false, reason: '(/k.conf: Line 3) halb_conntrack_sync: no vrrp_instance VI_9' });
  const noAddr = resolveConntrackSync(parse(base(['   halb_conntrack_sync VI_1 interface eth9'])).config, { base: '/x', origin: '/k.conf' }, addrs);
  assert.equal(noAddr?.ok, false);
  assert.match(noAddr.ok ? '' : noAddr.reason, /interface eth9 has no IPv4 address/);
});

test('the keyword: options, defaults, and keepalived-style errors', () => {
  const p = parse(base(['   halb_conntrack_sync VI_1 group 225.0.0.51 port 3790 peer 192.0.2.3 binary /opt/conntrackd']));
  assert.deepEqual(p.lines, []);
  const c = p.config.global.conntrackSync!;
  assert.deepEqual({ ...c, pos: undefined }, { instance: 'VI_1', pos: undefined, group: '225.0.0.51', port: 3790, peer: '192.0.2.3', binary: '/opt/conntrackd' });
  const d = parse(base(['   halb_conntrack_sync VI_1']));
  assert.deepEqual({ group: d.config.global.conntrackSync!.group, port: d.config.global.conntrackSync!.port }, { group: '225.0.0.50', port: 3780 });
  const e = parse(base(['   halb_conntrack_sync VI_1 group 192.0.2.1 speed 3', '   halb_conntrack_sync VI_1']));
  assert.deepEqual(e.lines, [
    '(Line 3) Invalid halb_conntrack_sync group (192.0.2.1): expected an IPv4 multicast address - ignoring',
    '(Line 3) Unknown option speed specified for halb_conntrack_sync (expected interface, peer, group, port or binary)',
    '(Line 4) halb_conntrack_sync has already been specified for VI_1 - ignoring',
  ]);
  assert.deepEqual(parse(base(['   halb_conntrack_sync'])).lines, ['(Line 3) halb_conntrack_sync requires a vrrp_instance name']);
});

test('conntrackd -s: the internal and external caches\' current connections', () => {
  const out = [
    'cache internal:', 'current active connections:\t        1874', 'connections created:\t\t   2 failed:\t 0', '',
    'cache external:', 'current active connections:\t          12', 'connections created:\t\t   0 failed:\t 0', '',
  ].join('\n');
  assert.deepEqual(parseConntrackdStats(out), { internal: 1874, external: 12 });
  assert.equal(parseConntrackdStats('cache internal:\ncurrent active connections: 3\n'), undefined);
  assert.equal(parseConntrackdStats(''), undefined);
});

test('a startup resync has arrived once three readings move by no more than the churn', () => {
  assert.equal(resyncSettled([0, 0]), false);
  assert.equal(resyncSettled([0, 0, 0]), true);
  assert.equal(resyncSettled([0, 1800, 1900]), false);
  assert.equal(resyncSettled([1800, 1830, 1860]), true);
  assert.equal(resyncSettled([5, 7, 8]), false);
});
