// `halb realserver --tun`: start loads ipip, puts the VIP on tunl0, brings it up and sets
// rp_filter/ARP sysctls; a second start changes nothing; stop puts back exactly what
// start found. Against an in-memory host.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { realserverTunStart, realserverTunStatus, realserverTunStop, TUN_SETTINGS, type TunHost, type TunRecord } from '../../../src/cli/realserver-tun.js';
import type { LoAddress } from '../../../src/cli/realserver-settings.js';

class MemoryTun implements TunHost {
  loaded = false;
  up = false;
  addrs: LoAddress[] = [];
  record: TunRecord | undefined;
  writes = 0;
  sysctl = new Map<string, string>([
    ['net.ipv4.conf.tunl0.rp_filter', '1'], ['net.ipv4.conf.all.rp_filter', '2'],
    ['net.ipv4.conf.lo.arp_ignore', '0'], ['net.ipv4.conf.lo.arp_announce', '0'],
    ['net.ipv4.conf.all.arp_ignore', '0'], ['net.ipv4.conf.all.arp_announce', '1'],
  ]);
  missingModule = false;
  loadIpip(): Promise<void> {
    if (this.missingModule) return Promise.reject(new Error('FATAL: Module ipip not found'));
    this.loaded = true;
    return Promise.resolve();
  }
  tunnel(): Promise<{ ifindex: number; up: boolean } | undefined> { return Promise.resolve(this.loaded ? { ifindex: 5, up: this.up } : undefined); }
  setTunnelUp(up: boolean): Promise<void> { this.writes++; this.up = up; return Promise.resolve(); }
  addresses(): Promise<LoAddress[]> { return Promise.resolve([...this.addrs]); }
  addAddress(_i: number, a: LoAddress): Promise<void> { this.writes++; this.addrs.push(a); return Promise.resolve(); }
  delAddress(_i: number, a: LoAddress): Promise<void> { this.writes++; this.addrs = this.addrs.filter((x) => x.address !== a.address); return Promise.resolve(); }
  readSysctl(n: string): Promise<string> { return Promise.resolve(this.sysctl.get(n) ?? '0'); }
  writeSysctl(n: string, v: string): Promise<void> { this.writes++; this.sysctl.set(n, v); return Promise.resolve(); }
  readRecord(): Promise<TunRecord | undefined> { return Promise.resolve(this.record); }
  writeRecord(r: TunRecord | undefined): Promise<void> { this.record = r; return Promise.resolve(); }
}

test('start: ipip loaded, VIP /32 on tunl0, tunl0 up, rp_filter 0 on tunl0 and all, ARP as for DR; again changes nothing', async () => {
  const h = new MemoryTun();
  const before = new Map(h.sysctl);
  const lines = await realserverTunStart(h, ['192.0.2.50']);
  assert.ok(h.loaded && h.up);
  assert.deepEqual(h.addrs, [{ address: '192.0.2.50', prefixLength: 32, family: 4 }]);
  assert.deepEqual(TUN_SETTINGS.map(([n]) => h.sysctl.get(n)), ['0', '0', '1', '2', '1', '2']);
  assert.ok(lines.includes('192.0.2.50/32 on tunl0: added') && lines.includes('tunl0: up'));
  assert.equal((await realserverTunStatus(h, ['192.0.2.50'])).ready, true);
  const writes = h.writes;
  await realserverTunStart(h, ['192.0.2.50']);
  assert.equal(h.writes, writes);
  assert.deepEqual(Object.entries(h.record!.sysctls), [...before].filter(([n]) => TUN_SETTINGS.some(([k]) => k === n)));
});

test('stop: keeps the settings while another VIP is on tunl0, then restores every sysctl and tunl0 down as found', async () => {
  const h = new MemoryTun();
  const before = new Map(h.sysctl);
  await realserverTunStart(h, ['192.0.2.50', '192.0.2.51']);
  assert.match((await realserverTunStop(h, ['192.0.2.50'])).at(-1)!, /still holds 192\.0\.2\.51/);
  await realserverTunStop(h, ['192.0.2.51']);
  assert.deepEqual(h.sysctl, before);
  assert.equal(h.up, false);
  assert.equal(h.record, undefined);
  assert.equal((await realserverTunStatus(h, ['192.0.2.50'])).ready, false);
});

test('refusals: an IPv6 VIP, and no ipip module', async () => {
  await assert.rejects(realserverTunStart(new MemoryTun(), ['2001:db8::5']), /ip6tnl/);
  const h = new MemoryTun();
  h.missingModule = true;
  await assert.rejects(realserverTunStart(h, ['192.0.2.50']), /needs the ipip module.*Module ipip not found/);
});
