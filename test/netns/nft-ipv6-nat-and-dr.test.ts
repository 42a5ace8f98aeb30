// IPv6 through the nft dataplane: NAT (ip6 DNAT, replies back through the director, which
// the engine turns IPv6 forwarding on for) and DR (fwd ip6 to the real server's MAC; the
// real server holds the VIP on lo as /128 and needs no ARP settings).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { Lan } from '../helpers/lan.js';
import { gate } from '../helpers/netns.js';
import { createNftDataplane } from '../../src/dataplane/nft/index.js';
import type { Dataplane, DataplaneSnapshot } from '../../src/dataplane/dataplane.js';
import type { RealServerSpec } from '../../src/dataplane/model.js';
import { HttpClient, stop, webServer } from './nft-lab.js';

const NAT_VIP = '2001:db8:10::10';
const DR_VIP = '2001:db8::50';

test('IPv6: NAT and DR serve HTTP through their VIPs, round robin', async (t) => {
  if (!gate(t, 'nft IPv6', ['nft'])) return;
  const lan = Lan.create(`n6${process.pid % 10000}`, [
    { name: 'client', addresses: ['2001:db8::100/64', '2001:db8:2::10/64'] },
    { name: 'director', addresses: ['2001:db8::1/64', '2001:db8:2::1/64', `${DR_VIP}/128`] },
    { name: 'rs1', addresses: ['2001:db8::11/64'] },
    { name: 'rs2', addresses: ['2001:db8::12/64'] },
  ]);
  const procs: ChildProcess[] = [];
  let dp: Dataplane | undefined;
  let client: HttpClient | undefined;
  try {
    const run = (h: string, args: string[]): void => assert.equal(lan.ns(h).run('ip', args).status, 0, `${h}: ip ${args.join(' ')}`);
    run('client', ['-6', 'route', 'add', '2001:db8:10::/64', 'via', '2001:db8:2::1']);
    for (const h of ['rs1', 'rs2']) {
      run(h, ['-6', 'route', 'add', '2001:db8:2::/64', 'via', '2001:db8::1']);
      // One-armed NAT: the director forwards replies out the interface they came in on
      // and sends an ICMPv6 redirect to the client's link address; IPv6 has no switch to
      // stop sending it, so the servers must not follow it (or replies skip the NAT).
      assert.equal(lan.ns(h).run('sysctl', ['-qw', 'net.ipv6.conf.all.accept_redirects=0', 'net.ipv6.conf.eth0.accept_redirects=0']).status, 0);
      run(h, ['addr', 'add', `${DR_VIP}/128`, 'dev', 'lo']);
    }
    procs.push(await webServer(lan, 'rs1', 'rs1'), await webServer(lan, 'rs2', 'rs2'));
    const notices: string[] = [];
    dp = await createNftDataplane({ netns: lan.ns('director').name, statsIntervalMs: 0, onNotice: (m) => notices.push(m) });
    const pool = (): RealServerSpec[] => ['2001:db8::11', '2001:db8::12'].map((address) => ({ address, port: 80, weight: 1, healthy: true }));
    const rep = await dp.apply({
      services: [
        { protocol: 'TCP', address: NAT_VIP, port: 80, scheduler: 'rr', quorumUp: true, forwarding: 'NAT', realServers: pool() },
        { protocol: 'TCP', address: DR_VIP, port: 80, scheduler: 'rr', quorumUp: true, forwarding: 'DR', realServers: pool() },
      ],
    });
    assert.deepEqual(rep.failed, []);
    assert.ok(notices.some((n) => /IPv6 forwarding/.test(n)), notices.join('; '));
    client = new HttpClient(lan);
    for (const [vip, from] of [[NAT_VIP, '2001:db8:2::10'], [DR_VIP, '2001:db8::100']] as const) {
      const got: string[] = await client.batch(Array.from({ length: 6 }, () => ({ host: vip, from })));
      assert.deepEqual(got.sort(), ['rs1', 'rs1', 'rs1', 'rs2', 'rs2', 'rs2'], `${vip}: ${got.join(',')}`);
    }
    await dp.refresh();
    const snap: DataplaneSnapshot = dp.snapshot();
    const [nat, dr] = snap.services;
    assert.equal(nat!.key, `TCP:[${NAT_VIP}]:80`);
    assert.ok(nat!.stats.outPkts > 0, 'NAT replies counted on their way back');
    assert.equal(dr!.stats.outPkts, 0, 'DR replies did not pass the director');
    assert.deepEqual(dr!.realServers.map((r) => r.stats.conns), [3, 3]);
  } finally {
    client?.close();
    await dp?.close();
    stop(procs);
    lan.destroy();
  }
});
