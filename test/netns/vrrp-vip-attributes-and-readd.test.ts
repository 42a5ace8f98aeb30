// VIPs, virtual routes and rules through rtnetlink on a real kernel: label, broadcast and
// scope as written; the route and rule appear on becoming MASTER; a VIP deleted with
// `ip addr del` behind halb's back comes back; everything goes on a clean stop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Lan } from '../helpers/lan.js';
import { gate } from '../helpers/netns.js';
import { VrrpNode, makeWorkDir, removeWorkDir, waitUntil } from '../helpers/vrrp-nodes.js';

const pos = { file: 'test.conf', line: 1, col: 1 };

test('VIP attributes, virtual routes and rules, re-add after deletion, removal on stop', { timeout: 30_000 }, async (t) => {
  if (!gate(t, 'VRRP VIP attributes')) return;
  const lan = Lan.create('vipattr', [{ name: 'h', addresses: ['192.0.2.1/24', '2001:db8::1/64'] }]);
  const dir = makeWorkDir('vipattr');
  let halb: VrrpNode | undefined;
  try {
    const ns = lan.ns('h');
    const ipj = (...args: string[]): unknown => JSON.parse(ns.run('ip', ['-j', ...args]).stdout || '[]');
    halb = VrrpNode.halb(ns, dir, 'halb', {
      instances: [{
        fsm: { name: 'VI_O', vrid: 90, version: 3, priority: 255, advertIntCs: 20 },
        io: {
          interface: 'eth0', family: 4,
          // Its own subnet: the kernel refuses a secondary address whose scope differs from the primary's.
          vips: [{ address: '203.0.113.240', family: 4, prefixLength: 24, broadcast: '203.0.113.255', label: 'eth0:vip', scope: 253 }],
          excludedVips: [{ address: '2001:db8::240', family: 6, prefixLength: 64, noDad: true }],
          routes: [{ pos, family: 4, type: 'unicast', destination: '198.51.100.0/24', via: '192.0.2.254', table: 254, metrics: {}, locked: [], nexthops: [], onlink: false, noTrack: false }],
          rules: [{ pos, family: 4, from: '203.0.113.240/32', invert: false, priority: 1234, action: 'table', table: 100, l3mdev: false, noTrack: false }],
        },
      }],
    });
    assert.ok(await waitUntil(() => lan.holds('h', '203.0.113.240') && lan.holds('h', '2001:db8::240'), 5000), `no VIPs\n${halb.output}`);
    const info = (ipj('addr', 'show', 'dev', 'eth0') as { addr_info: Record<string, unknown>[] }[])[0]!.addr_info;
    const v4 = info.find((a) => a.local === '203.0.113.240')!;
    assert.equal(v4.prefixlen, 24);
    assert.equal(v4.broadcast, '203.0.113.255');
    assert.equal(v4.label, 'eth0:vip');
    assert.equal(v4.scope, 'link');
    const v6 = info.find((a) => a.local === '2001:db8::240')!;
    assert.equal(v6.prefixlen, 64);
    assert.ok(await waitUntil(() => (ipj('route', 'show', '198.51.100.0/24') as unknown[]).length === 1, 2000), 'virtual route installed');
    const rules = ipj('rule', 'show') as { priority: number; src?: string; table?: string }[];
    assert.ok(rules.some((r) => r.priority === 1234 && r.src === '203.0.113.240' && r.table === '100'), `virtual rule installed: ${JSON.stringify(rules)}`);

    const del = ns.run('ip', ['addr', 'del', '203.0.113.240/24', 'dev', 'eth0']);
    assert.equal(del.status, 0, del.stderr);
    assert.ok(await waitUntil(() => lan.holds('h', '203.0.113.240'), 2000), `VIP not re-added\n${halb.output}`);
    assert.ok(await halb.waitFor(/\(VI_O\) virtual address 203\.0\.113\.240 removed from eth0 - re-adding/, 2000), halb.output);
    const snap = await halb.snapshot();
    assert.equal(snap.instances[0]!.counters.vipsReadded, 1);

    await halb.stop();
    assert.ok(!lan.holds('h', '203.0.113.240') && !lan.holds('h', '2001:db8::240'), 'VIPs removed on stop');
    assert.equal((ipj('route', 'show', '198.51.100.0/24') as unknown[]).length, 0, 'route removed on stop');
    assert.ok(!(ipj('rule', 'show') as { priority: number }[]).some((r) => r.priority === 1234), 'rule removed on stop');
  } finally {
    await halb?.kill9();
    lan.destroy();
    removeWorkDir(dir);
  }
});
