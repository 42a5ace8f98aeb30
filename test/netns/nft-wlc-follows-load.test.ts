// wlc in the kernel: nftables cannot compare live connection counts per packet, so the
// engine reads conntrack every loadIntervalMs and re-renders each server's share of new
// connections (water filling). A server that already carries six established
// connections gets no new one while the other is idle, as IPVS's wlc would decide.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { gate } from '../helpers/netns.js';
import { createNftDataplane } from '../../src/dataplane/nft/index.js';
import type { Dataplane, DataplaneSnapshot } from '../../src/dataplane/dataplane.js';
import type { DesiredState } from '../../src/dataplane/model.js';
import { createLab, HttpClient, NAT_CLIENTS, NAT_VIP, RS, stop, webServer } from './nft-lab.js';

const state = (rs2Weight: number): DesiredState => ({
  services: [{
    protocol: 'TCP', address: NAT_VIP, port: 80, scheduler: 'wlc', quorumUp: true, forwarding: 'NAT',
    realServers: [
      { address: RS.rs1, port: 80, weight: 1, healthy: true },
      { address: RS.rs2, port: 80, weight: rs2Weight, healthy: true },
    ],
  }],
});

test('wlc: new connections go to the server without established connections', async (t) => {
  if (!gate(t, 'nft wlc', ['nft'])) return;
  const lan = createLab('nw');
  const procs: ChildProcess[] = [];
  let dp: Dataplane | undefined;
  let client: HttpClient | undefined;
  try {
    procs.push(await webServer(lan, 'rs1', 'rs1'), await webServer(lan, 'rs2', 'rs2'));
    dp = await createNftDataplane({ netns: lan.ns('director').name, statsIntervalMs: 0, loadIntervalMs: 200 });
    client = new HttpClient(lan);
    await dp.apply(state(0));
    const held: string[] = await client.batch(Array.from({ length: 6 }, (_, i) => ({ host: NAT_VIP, from: NAT_CLIENTS[0], agent: `held-${i}` })));
    assert.deepEqual(held, Array(6).fill('rs1'), 'rs2 quiesced: six keep-alive connections on rs1');
    await dp.apply(state(1));
    // Two load readings later the shares reflect rs1's six established connections.
    await sleep(600);
    const fresh: string[] = await client.batch(Array.from({ length: 6 }, () => ({ host: NAT_VIP, from: NAT_CLIENTS[1] })));
    assert.deepEqual(fresh, Array(6).fill('rs2'), `new connections avoid the loaded server: ${fresh.join(',')}`);
    await dp.refresh();
    const snap: DataplaneSnapshot = dp.snapshot();
    const [rs1, rs2] = snap.services[0]!.realServers;
    assert.equal(rs1!.activeConns, 6, 'conntrack: six established connections on rs1');
    assert.equal(rs2!.activeConns, 0);
    assert.ok(rs2!.inactiveConns >= 6, 'the closed ones wait in TIME_WAIT (inactive)');
  } finally {
    client?.close();
    await dp?.close();
    stop(procs);
    lan.destroy();
  }
});
