// persistence_timeout through the nft dataplane: a client's later connections follow its
// first one (the template lives in the engine's per-server dynamic set), with NAT and
// with DR; templates and DR flows show in the connection listing as ipvsadm -Lnc shows
// them, and persistence_granularity groups clients by prefix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { gate } from '../helpers/netns.js';
import { createNftDataplane } from '../../src/dataplane/nft/index.js';
import type { ConnectionSnapshot, Dataplane, DataplaneSnapshot } from '../../src/dataplane/dataplane.js';
import type { DesiredState, RealServerSpec } from '../../src/dataplane/model.js';
import { createLab, DR_CLIENTS, DR_VIP, drRealServers, HttpClient, NAT_CLIENTS, NAT_VIP, RS, stop, webServer } from './nft-lab.js';

const pool = (): RealServerSpec[] => [
  { address: RS.rs1, port: 80, weight: 1, healthy: true },
  { address: RS.rs2, port: 80, weight: 1, healthy: true },
];

const state = (granularity?: number): DesiredState => ({
  services: [
    { protocol: 'TCP', address: NAT_VIP, port: 80, scheduler: 'rr', quorumUp: true, forwarding: 'NAT', persistence: { timeoutMs: 60_000, ...(granularity !== undefined ? { granularity } : {}) }, realServers: pool() },
    { protocol: 'TCP', address: DR_VIP, port: 80, scheduler: 'rr', quorumUp: true, forwarding: 'DR', persistence: { timeoutMs: 60_000 }, realServers: pool() },
  ],
});

test('persistence: a client sticks to the server of its first connection (NAT and DR); templates listed', async (t) => {
  if (!gate(t, 'nft persistence', ['nft'])) return;
  const lan = createLab('np');
  const procs: ChildProcess[] = [];
  let dp: Dataplane | undefined;
  let client: HttpClient | undefined;
  try {
    procs.push(await webServer(lan, 'rs1', 'rs1'), await webServer(lan, 'rs2', 'rs2'));
    drRealServers(lan);
    dp = await createNftDataplane({ netns: lan.ns('director').name, statsIntervalMs: 0 });
    client = new HttpClient(lan);
    await dp.apply(state());
    for (const [vip, clients] of [[NAT_VIP, NAT_CLIENTS], [DR_VIP, DR_CLIENTS]] as const) {
      // Three clients take turns: plain rr over two servers would move each of them
      // from one server to the other on its next connection.
      const got: string[] = await client.batch([0, 1, 2, 3].flatMap(() => [0, 1, 2].map((c) => ({ host: vip, from: clients[c] }))));
      const per = [0, 1, 2].map((c) => got.filter((_, i) => i % 3 === c));
      per.forEach((names, c) => assert.equal(new Set(names).size, 1, `${vip}: ${clients[c]} sticks to one server: ${got.join(',')}`));
      assert.deepEqual(per.map((n) => n[0]), ['rs1', 'rs2', 'rs1'], `${vip}: first connections placed by rr`);
    }
    await dp.refresh({ connections: true });
    const snap: DataplaneSnapshot = dp.snapshot({ connections: true });
    for (const svc of snap.services) {
      assert.equal(svc.persistence?.timeoutMs, 60_000);
      assert.deepEqual(svc.realServers.map((r) => r.persistConns), [2, 1], `${svc.key}: one template per client`);
      assert.equal(svc.stats.conns, 12);
    }
    const conns: readonly ConnectionSnapshot[] = snap.connections ?? [];
    const templates = conns.filter((c) => c.state === 'NONE');
    assert.equal(templates.length, 6, `templates listed: ${JSON.stringify(templates)}`);
    assert.ok(templates.every((c) => c.clientPort === 0 && c.expiresInMs > 50_000));
    const drFlows = conns.filter((c) => c.virtual === `${DR_VIP}:80` && c.state !== 'NONE');
    assert.equal(drFlows.length, 12, 'every DR flow listed from the engine\'s flow sets');
    assert.ok(drFlows.every((c) => c.state === 'FIN_WAIT'), 'Connection: close flows ended with the client\'s FIN');

    // persistence_granularity /24: every NAT client of 198.51.100.0/24 shares one template.
    await dp.apply(state(24));
    const grouped: string[] = await client.batch(NAT_CLIENTS.map((from) => ({ host: NAT_VIP, from })));
    assert.equal(new Set(grouped).size, 1, `one server for the whole /24: ${grouped.join(',')}`);
  } finally {
    client?.close();
    await dp?.close();
    stop(procs);
    lan.destroy();
  }
});
