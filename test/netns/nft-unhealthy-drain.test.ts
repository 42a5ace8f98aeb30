// A real server its checker marks down (healthy: false in the desired state) gets no new
// flow once the update is applied, while established flows are untouched: the ones on
// the other server keep their connection, and the ones on the failed server finish, as
// IPVS lets connections to a removed destination finish. The same for weight 0
// (quiesced). For NAT and DR side by side, over keep-alive connections whose client port
// proves that the very same TCP connection carried on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { gate } from '../helpers/netns.js';
import { createNftDataplane } from '../../src/dataplane/nft/index.js';
import type { Dataplane, DataplaneSnapshot } from '../../src/dataplane/dataplane.js';
import type { DesiredState, RealServerSpec } from '../../src/dataplane/model.js';
import { createLab, DR_CLIENTS, DR_VIP, drRealServers, HttpClient, NAT_CLIENTS, NAT_VIP, RS, stop, webServer } from './nft-lab.js';

function desired(rs1: Partial<RealServerSpec>): DesiredState {
  const pool = (): RealServerSpec[] => [
    { address: RS.rs1, port: 80, weight: 1, healthy: true, ...rs1 },
    { address: RS.rs2, port: 80, weight: 1, healthy: true },
  ];
  return {
    services: [
      { protocol: 'TCP', address: NAT_VIP, port: 80, scheduler: 'rr', quorumUp: true, forwarding: 'NAT', realServers: pool() },
      { protocol: 'TCP', address: DR_VIP, port: 80, scheduler: 'rr', quorumUp: true, forwarding: 'DR', realServers: pool() },
    ],
  };
}

const VIPS = [{ vip: NAT_VIP, from: NAT_CLIENTS[0]! }, { vip: DR_VIP, from: DR_CLIENTS[0]! }];

test('a server marked unhealthy (or weight 0) takes no new flow; established flows carry on (NAT and DR)', async (t) => {
  if (!gate(t, 'nft drain on health change', ['nft'])) return;
  const lan = createLab('nh');
  const procs: ChildProcess[] = [];
  let dp: Dataplane | undefined;
  let client: HttpClient | undefined;
  try {
    procs.push(await webServer(lan, 'rs1', 'rs1'), await webServer(lan, 'rs2', 'rs2'));
    drRealServers(lan);
    dp = await createNftDataplane({ netns: lan.ns('director').name, statsIntervalMs: 0 });
    client = new HttpClient(lan);

    for (const [phase, change] of [['unhealthy', { healthy: false }], ['weight 0', { weight: 0 }]] as const) {
      await dp.apply(desired({}));
      // Two keep-alive connections per VIP: rr puts the first on one server, the second on the other.
      const open: string[] = await client.batch(VIPS.flatMap(({ vip, from }) => ['a', 'b'].map((a) => ({ host: vip, from, agent: `${phase}-${vip}-${a}`, path: '/who' }))));
      for (let i = 0; i < VIPS.length; i++) {
        const pair: (string | undefined)[] = [open[i * 2]!, open[i * 2 + 1]!].map((s) => s.split(' ')[0]).sort();
        assert.deepEqual(pair, ['rs1', 'rs2'], `${phase}: ${VIPS[i]!.vip} keep-alive connections on both servers: ${open.join(', ')}`);
      }

      const rep = await dp.apply(desired(change));
      assert.deepEqual(rep.failed, []);
      assert.equal(rep.updated.length, 2, `${phase}: both services updated`);

      const fresh: string[] = await client.batch(VIPS.flatMap(({ vip, from }) => Array.from({ length: 6 }, () => ({ host: vip, from }))));
      assert.deepEqual(fresh, Array(12).fill('rs2'), `${phase}: every new flow goes to rs2`);

      const again: string[] = await client.batch(VIPS.flatMap(({ vip, from }) => ['a', 'b'].map((a) => ({ host: vip, from, agent: `${phase}-${vip}-${a}`, path: '/who' }))));
      assert.deepEqual(again, open, `${phase}: established connections carry on, same server and same client port`);

      await dp.refresh();
      const snap: DataplaneSnapshot = dp.snapshot();
      for (const svc of snap.services) {
        const rs1 = svc.realServers.find((r) => r.address === RS.rs1)!;
        assert.equal(rs1.weight, 0, `${phase}: ${svc.key} rs1 takes no new connections`);
        assert.equal(rs1.draining, phase === 'unhealthy', `${phase}: ${svc.key} rs1 draining (left the pool) only when unhealthy`);
        assert.ok(rs1.stats.inPkts > 0);
      }
    }
  } finally {
    client?.close();
    await dp?.close();
    stop(procs);
    lan.destroy();
  }
});
