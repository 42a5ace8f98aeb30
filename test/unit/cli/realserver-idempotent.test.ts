// `halb realserver`: start does what lvs_dr_rs.sh does and a second start changes
// nothing; stop undoes it (keeping the ARP settings while another VIP is on lo); status
// says what is missing. Against an in-memory host.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ARP_SETTINGS, realserverStart, realserverStatus, realserverStop, type LoAddress, type RealserverHost,
} from '../../../src/cli/realserver.js';

class MemoryHost implements RealserverHost {
  addrs: LoAddress[] = [{ address: '127.0.0.1', prefixLength: 8, family: 4 }, { address: '::1', prefixLength: 128, family: 6 }];
  sysctl = new Map<string, string>(ARP_SETTINGS.map(([k]) => [k, '0']));
  writes = 0;
  loAddresses(): Promise<LoAddress[]> { return Promise.resolve([...this.addrs]); }
  addLoAddress(a: LoAddress): Promise<void> { this.writes++; this.addrs.push(a); return Promise.resolve(); }
  delLoAddress(a: LoAddress): Promise<void> { this.writes++; this.addrs = this.addrs.filter((x) => x.address !== a.address); return Promise.resolve(); }
  readSysctl(n: string): Promise<string> { return Promise.resolve(this.sysctl.get(n) ?? '0'); }
  writeSysctl(n: string, v: string): Promise<void> { this.writes++; this.sysctl.set(n, v); return Promise.resolve(); }
  saved: Record<string, string> = {};
  savedSysctls(): Promise<Record<string, string>> { return Promise.resolve({ ...this.saved }); }
  saveSysctls(v: Readonly<Record<string, string>>): Promise<void> { this.saved = { ...v }; return Promise.resolve(); }
}

test('start puts the VIP on lo as /32 and sets arp_ignore=1, arp_announce=2 on lo and all; again is a no-op', async () => {
  const h = new MemoryHost();
  const lines = await realserverStart(h, ['192.0.2.50']);
  assert.deepEqual(lines, [
    '192.0.2.50/32 on lo: added',
    'net.ipv4.conf.lo.arp_ignore = 1 (was 0)',
    'net.ipv4.conf.lo.arp_announce = 2 (was 0)',
    'net.ipv4.conf.all.arp_ignore = 1 (was 0)',
    'net.ipv4.conf.all.arp_announce = 2 (was 0)',
  ]);
  assert.deepEqual(h.addrs.at(-1), { address: '192.0.2.50', prefixLength: 32, family: 4 });
  const writes = h.writes;
  const again = await realserverStart(h, ['192.0.2.50']);
  assert.equal(h.writes, writes, 'nothing written the second time');
  assert.match(again[0]!, /already there/);
  assert.ok(again.slice(1).every((l) => l.endsWith('(already)')));
  assert.deepEqual(await realserverStatus(h, ['192.0.2.50']), {
    ready: true,
    lines: [
      'VIPs on lo: 192.0.2.50/32',
      'net.ipv4.conf.lo.arp_ignore = 1', 'net.ipv4.conf.lo.arp_announce = 2',
      'net.ipv4.conf.all.arp_ignore = 1', 'net.ipv4.conf.all.arp_announce = 2',
      '192.0.2.50: ready for LVS-DR',
    ],
  });
});

test('IPv6 VIPs go on lo as /128 and are judged by IPv6\'s settings, not ARP\'s', async () => {
  const h = new MemoryHost();
  assert.deepEqual(await realserverStart(h, ['2001:db8::50']), ['2001:db8::50/128 on lo: added']);
  assert.equal(h.sysctl.get('net.ipv4.conf.all.arp_ignore'), '0');
  const s = await realserverStatus(h, ['2001:db8:0::50']);
  assert.equal(s.ready, true, 'the same address however it is written');
  assert.deepEqual(s.lines, [
    'VIPs on lo: 2001:db8::50/128',
    'net.ipv6.conf.lo.disable_ipv6 = 0; IPv6 needs no ARP settings (neighbour discovery answers only on the interface holding the address)',
    '2001:db8:0::50: ready for LVS-DR',
  ]);
  assert.ok(!s.lines.some((l) => l.includes('arp_ignore')), 'no ARP verdict on an IPv6 VIP');
  h.sysctl.set('net.ipv6.conf.lo.disable_ipv6', '1');
  const off = await realserverStatus(h, ['2001:db8::50']);
  assert.equal(off.ready, false);
  assert.ok(off.lines.includes('2001:db8::50: NOT ready (IPv6 disabled on lo)'), off.lines.join('\n'));
});

test('stop puts back the values start found, not 0', async () => {
  const h = new MemoryHost();
  h.sysctl.set('net.ipv4.conf.all.arp_ignore', '2');
  h.sysctl.set('net.ipv4.conf.lo.arp_announce', '1');
  await realserverStart(h, ['192.0.2.50']);
  await realserverStart(h, ['192.0.2.50']);
  assert.equal(h.sysctl.get('net.ipv4.conf.all.arp_ignore'), '1');
  const out = await realserverStop(h, ['192.0.2.50']);
  assert.ok(out.includes('net.ipv4.conf.all.arp_ignore = 2 (was 1; the value start found)'), out.join('\n'));
  assert.deepEqual(Object.fromEntries(h.sysctl), {
    'net.ipv4.conf.lo.arp_ignore': '0', 'net.ipv4.conf.lo.arp_announce': '1',
    'net.ipv4.conf.all.arp_ignore': '2', 'net.ipv4.conf.all.arp_announce': '0',
  }, 'a second start did not record its own values as the originals');
  assert.deepEqual(h.saved, {}, 'the record goes once restored');
});

test('stop removes the VIP and resets the ARP settings only when no other VIP is left', async () => {
  const h = new MemoryHost();
  await realserverStart(h, ['192.0.2.50', '192.0.2.51']);
  const first = await realserverStop(h, ['192.0.2.50']);
  assert.deepEqual(first, ['192.0.2.50/32 on lo: removed', 'ARP settings kept: lo still holds 192.0.2.51']);
  const last = await realserverStop(h, ['192.0.2.51']);
  assert.equal(last[0], '192.0.2.51/32 on lo: removed');
  assert.equal(last.length, 5);
  assert.ok([...h.sysctl.values()].every((v) => v === '0'));
  assert.deepEqual(await realserverStop(h, ['192.0.2.51']), ['192.0.2.51 on lo: not there']);
});

test('status reports what is missing and is not ready', async () => {
  const h = new MemoryHost();
  h.addrs.push({ address: '192.0.2.50', prefixLength: 32, family: 4 });
  const s = await realserverStatus(h, ['192.0.2.50', '192.0.2.60']);
  assert.equal(s.ready, false);
  assert.ok(s.lines.includes('net.ipv4.conf.all.arp_ignore = 0 (LVS-DR wants 1)'));
  assert.ok(s.lines.includes('192.0.2.50: NOT ready (ARP settings missing)'));
  assert.ok(s.lines.includes('192.0.2.60: NOT ready (not on lo)'));
  await assert.rejects(realserverStart(h, ['not-an-ip']), { code: 'HALB_ERR_USAGE' });
});
