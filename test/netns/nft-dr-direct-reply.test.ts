// lb_kind DR through the nft dataplane, the seeds' set-up: the real servers are prepared
// with `halb realserver start --vip` (lvs_dr_rs.sh), the director forwards the client's
// packets unchanged to a real server's MAC, and the reply goes from the real server
// straight to the client. Proven three ways: the client receives the VIP's replies from
// the real servers' MACs and never from the director's; the director's own counter of
// packets from the VIP stays at 0; ipvsadm's Forward column says Route.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Lan } from '../helpers/lan.js';
import { gate } from '../helpers/netns.js';
import { createNftDataplane } from '../../src/dataplane/nft/index.js';
import type { Dataplane } from '../../src/dataplane/dataplane.js';
import type { DesiredState, VirtualServiceSpec } from '../../src/dataplane/model.js';
import { MaglevScheduler, SourceHashScheduler, type DestView } from '../../src/dataplane/sched/index.js';
import { count, createLab, DR_CLIENTS, DR_VIP, HttpClient, RS, stop, webServer } from './nft-lab.js';

const REALSERVER = fileURLToPath(new URL('../../src/cli/realserver.js', import.meta.url));

function realserver(lan: Lan, host: string, args: readonly string[]): { status: number | null; out: string } {
  const code = `import(${JSON.stringify(REALSERVER)}).then((m)=>m.realserverCommand().parseAsync(['node','halb',...${JSON.stringify(args)}]))` +
    '.catch((e)=>{console.error(e.message);process.exitCode=1})';
  const r = lan.ns(host).run(process.execPath, ['--input-type=module', '-e', code]);
  return { status: r.status, out: r.stdout + r.stderr };
}

function service(over: Partial<VirtualServiceSpec>): DesiredState {
  return {
    services: [{
      protocol: 'TCP', address: DR_VIP, port: 80, scheduler: 'rr', quorumUp: true, forwarding: 'DR',
      realServers: [
        { address: RS.rs1, port: 80, weight: 1, healthy: true },
        { address: RS.rs2, port: 80, weight: 1, healthy: true },
      ],
      ...over,
    }],
  };
}

/** In the client: count the VIP's replies by the MAC they arrive from. */
function watchReplies(lan: Lan): void {
  const rules = ['rs1', 'rs2', 'director'].map((h) =>
    `add rule inet halbtest watch ether saddr ${lan.mac(h)} ip saddr ${DR_VIP} tcp sport 80 counter name from_${h}`).join('\n');
  const script = `add table inet halbtest
add chain inet halbtest watch { type filter hook prerouting priority -300; }
add counter inet halbtest from_rs1
add counter inet halbtest from_rs2
add counter inet halbtest from_director
${rules}
`;
  const r = lan.ns('client').run('nft', ['-f', '-'], { input: script });
  assert.equal(r.status, 0, r.stderr);
}

function repliesFrom(lan: Lan): Record<string, number> {
  const r = lan.ns('client').run('nft', ['-j', 'list', 'counters', 'table', 'inet', 'halbtest']);
  const objs = (JSON.parse(r.stdout) as { nftables: { counter?: { name: string; packets: number } }[] }).nftables;
  return Object.fromEntries(objs.filter((o) => o.counter).map((o) => [o.counter!.name.replace('from_', ''), o.counter!.packets]));
}

const NAME: Record<string, string> = { [`${RS.rs1}:80`]: 'rs1', [`${RS.rs2}:80`]: 'rs2' };
const dests: DestView[] = [RS.rs1, RS.rs2].map((a) => ({ id: `${a}:80`, weight: 1, activeConns: 0, inactiveConns: 0 }));

test('DR via nft: replies go from the real servers straight to the client; rr, wrr, sh, mh', async (t) => {
  if (!gate(t, 'nft DR', ['nft'])) return;
  const lan = createLab('nd');
  const procs: ChildProcess[] = [];
  let dp: Dataplane | undefined;
  let client: HttpClient | undefined;
  try {
    procs.push(await webServer(lan, 'rs1', 'rs1'), await webServer(lan, 'rs2', 'rs2'));
    for (const h of ['rs1', 'rs2']) {
      const first = realserver(lan, h, ['start', '--vip', DR_VIP]);
      assert.equal(first.status, 0, first.out);
      assert.match(first.out, /192\.0\.2\.50\/32 on lo: added/);
      assert.match(first.out, /net\.ipv4\.conf\.all\.arp_ignore = 1 \(was 0\)/);
      const again = realserver(lan, h, ['start', '--vip', DR_VIP]);
      assert.match(again.out, /on lo: already there/);
      assert.doesNotMatch(again.out, /\(was /, 'a second start changes nothing');
      const status = realserver(lan, h, ['status', '--vip', DR_VIP]);
      assert.equal(status.status, 0, status.out);
      assert.match(status.out, /192\.0\.2\.50: ready for LVS-DR/);
    }
    // Only the director answers ARP for the VIP, though both servers hold it on lo.
    assert.equal(lan.whoAnswers('client', DR_VIP), 'director');
    watchReplies(lan);

    dp = await createNftDataplane({ netns: lan.ns('director').name, statsIntervalMs: 0, requireDr: true });
    client = new HttpClient(lan);
    const rep = await dp.apply(service({ scheduler: 'rr' }));
    assert.deepEqual(rep.failed, []);
    const rr = await client.batch(Array.from({ length: 12 }, () => ({ host: DR_VIP, from: DR_CLIENTS[0] })));
    assert.ok(rr.every((n) => n === 'rs1' || n === 'rs2'), `every request answered: ${rr.join(',')}`);
    for (let i = 1; i < rr.length; i++) assert.notEqual(rr[i], rr[i - 1], `rr alternates: ${rr.join(',')}`);

    const seen = repliesFrom(lan);
    assert.ok(seen.rs1! >= 6 * 3 && seen.rs2! >= 6 * 3, `replies arrive from both real servers' MACs: ${JSON.stringify(seen)}`);
    assert.equal(seen.director, 0, 'no reply comes through the director');
    await dp.refresh();
    const svc = dp.snapshot().services[0]!;
    assert.equal(svc.stats.outPkts, 0, 'the director saw no packet from the VIP');
    assert.equal(svc.stats.conns, 12);
    for (const rs of svc.realServers) {
      assert.equal(rs.forward, 'Route');
      assert.equal(rs.stats.conns, 6, `${rs.key}: 6 connections`);
      assert.ok(rs.stats.inPkts >= 6 * 4, `${rs.key}: the client's packets went through the director: ${rs.stats.inPkts}`);
      assert.equal(rs.stats.outPkts, 0);
      // Connection: close ends with the client's FIN: every flow is in IPVS's FIN_WAIT.
      assert.equal(rs.inactiveConns, 6, `${rs.key}: closed flows are inactive`);
    }

    await dp.apply(service({
      scheduler: 'wrr',
      realServers: [{ address: RS.rs1, port: 80, weight: 1, healthy: true }, { address: RS.rs2, port: 80, weight: 3, healthy: true }],
    }));
    const wrr = await client.batch(Array.from({ length: 16 }, () => ({ host: DR_VIP, from: DR_CLIENTS[1] })));
    assert.deepEqual(count(wrr), { rs1: 4, rs2: 12 }, `wrr 1:3: ${wrr.join(',')}`);

    for (const [name, sched] of [['sh', new SourceHashScheduler()], ['mh', new MaglevScheduler()]] as const) {
      await dp.apply(service({ scheduler: name }));
      const got = await client.batch(DR_CLIENTS.flatMap((from) => [0, 1].map(() => ({ host: DR_VIP, from }))));
      const used = new Set<string>();
      DR_CLIENTS.forEach((from, i) => {
        const want = NAME[sched.pick(dests, { clientAddr: from, clientPort: 0, destAddr: DR_VIP, destPort: 80, now: 0 })!.id]!;
        assert.deepEqual(got.slice(i * 2, i * 2 + 2), [want, want], `${name}: ${from} goes to ${want}`);
        used.add(want);
      });
      assert.equal(used.size, 2, `${name}: both servers used`);
    }
    assert.equal(repliesFrom(lan).director, 0, 'still no reply through the director');

    await dp.close();
    dp = undefined;
    const tables = lan.ns('director').run('nft', ['list', 'tables']).stdout;
    assert.doesNotMatch(tables, /halb/, `close() removed halb's tables: ${tables}`);
  } finally {
    client?.close();
    await dp?.close();
    stop(procs);
    lan.destroy();
  }
});
