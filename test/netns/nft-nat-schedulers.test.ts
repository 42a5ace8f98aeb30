// lb_kind NAT through the nft dataplane: HTTP through the VIP with each scheduler's
// choice made inside nftables. rr alternates exactly, wrr follows the weights exactly
// over whole cycles, sh and mh send every client address to the server the shared
// schedulers predict (the kernel's jhash and ours agree), and the counters per real
// server count what was sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { gate } from '../helpers/netns.js';
import { createNftDataplane } from '../../src/dataplane/nft/index.js';
import type { Dataplane } from '../../src/dataplane/dataplane.js';
import type { DesiredState, VirtualServiceSpec } from '../../src/dataplane/model.js';
import { MaglevScheduler, SourceHashScheduler, type DestView } from '../../src/dataplane/sched/index.js';
import { count, createLab, HttpClient, NAT_CLIENTS, NAT_VIP, RS, stop, webServer } from './nft-lab.js';

function service(over: Partial<VirtualServiceSpec>): DesiredState {
  return {
    services: [{
      protocol: 'TCP', address: NAT_VIP, port: 80, scheduler: 'rr', quorumUp: true, forwarding: 'NAT',
      realServers: [
        { address: RS.rs1, port: 80, weight: 1, healthy: true },
        { address: RS.rs2, port: 80, weight: 1, healthy: true },
      ],
      ...over,
    }],
  };
}

const NAME: Record<string, string> = { [`${RS.rs1}:80`]: 'rs1', [`${RS.rs2}:80`]: 'rs2' };
const dests: DestView[] = [RS.rs1, RS.rs2].map((a) => ({ id: `${a}:80`, weight: 1, activeConns: 0, inactiveConns: 0 }));

test('NAT via nft: rr exact, wrr by weight, sh and mh sticky as predicted, counters per real server', async (t) => {
  if (!gate(t, 'nft NAT schedulers', ['nft'])) return;
  const lan = createLab('nn');
  const procs: ChildProcess[] = [];
  let dp: Dataplane | undefined;
  let client: HttpClient | undefined;
  try {
    procs.push(await webServer(lan, 'rs1', 'rs1'), await webServer(lan, 'rs2', 'rs2'));
    dp = await createNftDataplane({ netns: lan.ns('director').name, statsIntervalMs: 0 });
    client = new HttpClient(lan);

    const rep = await dp.apply(service({ scheduler: 'rr' }));
    assert.deepEqual(rep.failed, []);
    assert.deepEqual(rep.added, [`TCP:${NAT_VIP}:80`]);
    const rr = await client.batch(Array.from({ length: 12 }, () => ({ host: NAT_VIP, from: NAT_CLIENTS[0] })));
    assert.ok(rr.every((n) => n === 'rs1' || n === 'rs2'), `every request answered: ${rr.join(',')}`);
    for (let i = 1; i < rr.length; i++) assert.notEqual(rr[i], rr[i - 1], `rr alternates: ${rr.join(',')}`);
    await dp.refresh();
    const snap = dp.snapshot();
    const svc = snap.services[0]!;
    assert.equal(svc.listener, 'listening');
    for (const rs of svc.realServers) {
      assert.equal(rs.forward, 'Masq');
      assert.equal(rs.stats.conns, 6, `${rs.key} counted 6 connections`);
      assert.ok(rs.stats.inPkts >= 6 * 4 && rs.stats.outPkts >= 6 * 3, `${rs.key} packets both ways: ${JSON.stringify(rs.stats)}`);
      assert.ok(rs.stats.outBytes > rs.stats.inBytes / 4, 'reply bytes counted');
    }
    assert.equal(svc.stats.conns, 12);

    await dp.apply(service({
      scheduler: 'wrr',
      realServers: [{ address: RS.rs1, port: 80, weight: 3, healthy: true }, { address: RS.rs2, port: 80, weight: 1, healthy: true }],
    }));
    const wrr = await client.batch(Array.from({ length: 16 }, () => ({ host: NAT_VIP, from: NAT_CLIENTS[0] })));
    assert.deepEqual(count(wrr), { rs1: 12, rs2: 4 }, `wrr 3:1 over 4 cycles: ${wrr.join(',')}`);

    for (const [name, sched] of [['sh', new SourceHashScheduler()], ['mh', new MaglevScheduler()]] as const) {
      await dp.apply(service({ scheduler: name }));
      const list = NAT_CLIENTS.flatMap((from) => [0, 1, 2].map(() => ({ host: NAT_VIP, from })));
      const got = await client.batch(list);
      const seen = new Set<string>();
      NAT_CLIENTS.forEach((from, i) => {
        const three = got.slice(i * 3, i * 3 + 3);
        const want = NAME[sched.pick(dests, { clientAddr: from, clientPort: 0, destAddr: NAT_VIP, destPort: 80, now: 0 })!.id];
        assert.deepEqual(three, [want, want, want], `${name}: ${from} always goes to ${want}`);
        seen.add(want!);
      });
      assert.equal(seen.size, 2, `${name}: the ${NAT_CLIENTS.length} clients use both servers`);
    }
  } finally {
    client?.close();
    await dp?.close();
    stop(procs);
    lan.destroy();
  }
});
