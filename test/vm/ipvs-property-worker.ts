// Run by ipvs-table-by-difference.test.ts inside a fresh network namespace of the VM
// (IPVS keeps one table per namespace): the real IPVS engine, in this process, applies
// N random desired states by difference; after each the kernel's table, read back over
// netlink, must equal the desired one, and an operator's own service (added with
// ipvsadm before the engine started) must be untouched. Prints one JSON line.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { IpvsEngine, systemIpvsBackend, tableOf } from '../../src/dataplane/ipvs/index.js';
import { desiredTable, sameTable } from '../../src/dataplane/ipvs/table.js';
import type { DesiredState, ForwardingMethod, RealServerSpec, VirtualServiceSpec } from '../../src/dataplane/model.js';
import type { SchedulerName } from '../../src/dataplane/sched/types.js';

const runs = Number(process.argv[2] ?? '1000');
const OPERATOR = 'TCP:203.0.113.200:81';
const seed = Number(process.argv[3] ?? '42');

function ipvsadm(args: string[]): string {
  const r = spawnSync('ipvsadm', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ipvsadm ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const SCHEDULERS: SchedulerName[] = ['rr', 'wrr', 'lc', 'wlc', 'sh', 'mh', 'dh', 'sed', 'nq', 'fo', 'ovf', 'lblc', 'lblcr'];
const FORWARDS: ForwardingMethod[] = ['NAT', 'DR', 'TUN'];

const rsArb = (v6: boolean): fc.Arbitrary<RealServerSpec> => fc.record({
  address: fc.integer({ min: 10, max: 17 }).map((n) => (v6 ? `2001:db8::${n}` : `198.51.100.${n}`)),
  port: fc.constantFrom(80, 8080),
  weight: fc.integer({ min: 0, max: 5 }),
  healthy: fc.boolean(),
  inhibitOnFailure: fc.boolean(),
  upperThreshold: fc.constantFrom(0, 0, 100),
  lowerThreshold: fc.constantFrom(0, 0, 20),
  forwarding: fc.constantFrom(...FORWARDS),
// IPVS refuses a lower threshold above the upper one (ERANGE): keep the pair valid here.
}).map((r) => ({ ...r, lowerThreshold: r.upperThreshold === 0 ? 0 : r.lowerThreshold }));

const svcArb: fc.Arbitrary<VirtualServiceSpec> = fc.record({
  kind: fc.constantFrom('v4', 'v4', 'v6', 'fwm'),
  vip: fc.integer({ min: 1, max: 4 }),
  protocol: fc.constantFrom('TCP' as const, 'UDP' as const, 'SCTP' as const),
  port: fc.constantFrom(80, 443),
  scheduler: fc.constantFrom(...SCHEDULERS),
  port2: fc.boolean(),
  fallback: fc.boolean(),
  persistent: fc.option(fc.record({ timeoutMs: fc.constantFrom(60_000, 300_000), granularity: fc.constantFrom(undefined, 24) }), { nil: undefined }),
  onePacket: fc.boolean(),
  quorumUp: fc.boolean(),
  sorry: fc.boolean(),
}).chain((o) => fc.uniqueArray(rsArb(o.kind === 'v6'), { maxLength: 4, selector: (r) => `${r.address}:${r.port}` }).map((realServers): VirtualServiceSpec => {
  const v6 = o.kind === 'v6';
  const fwm = o.kind === 'fwm';
  return {
    protocol: o.protocol,
    address: fwm ? '0.0.0.0' : v6 ? `2001:db8::${o.vip}` : `203.0.113.${o.vip}`,
    port: fwm ? 0 : o.port,
    ...(fwm ? { fwmark: o.vip } : {}),
    scheduler: o.scheduler,
    schedulerFlags: { port: o.port2, fallback: o.fallback },
    ...(o.persistent !== undefined ? { persistence: { timeoutMs: o.persistent.timeoutMs, ...(o.persistent.granularity !== undefined && !v6 ? { granularity: o.persistent.granularity } : {}) } } : {}),
    ...(o.onePacket && o.protocol === 'UDP' ? { onePacket: true } : {}),
    quorumUp: o.quorumUp,
    ...(o.sorry ? { sorryServer: { address: v6 ? '2001:db8::99' : '198.51.100.99', port: 80 } } : {}),
    forwarding: 'NAT',
    realServers,
  };
}));

const stateArb: fc.Arbitrary<DesiredState> = fc.uniqueArray(svcArb, {
  maxLength: 5,
  selector: (s) => (s.fwmark !== undefined ? `FWM:${s.fwmark}` : `${s.protocol}:${s.address}:${s.port}`),
}).map((services) => ({ services }));

async function main(): Promise<void> {
  // The operator's own service, before halb starts.
  ipvsadm(['-A', '-t', '203.0.113.200:81', '-s', 'wlc']);
  ipvsadm(['-a', '-t', '203.0.113.200:81', '-r', '198.51.100.200:81', '-m', '-w', '4']);
  const operator = ipvsadm(['-Sn']);
  const ownershipFile = join(mkdtempSync(join(tmpdir(), 'halb-ipvs-prop-')), 'owned.json');
  const backend = await systemIpvsBackend({ ownershipFile });
  const engine = new IpvsEngine({ backend });
  const states = fc.sample(stateArb, { numRuns: runs, seed });
  let ops = 0;
  let failures = 0;
  const started = Date.now();
  for (const [i, desired] of states.entries()) {
    const report = await engine.apply(desired);
    failures += report.failed.length;
    if (report.failed.length > 0) throw new Error(`step ${i}: ${report.failed.map((f) => f.error.message).join('; ')}`);
    const read = await backend.read();
    const mine = tableOf(read, (k) => k !== OPERATOR);
    const theirs = tableOf(read, (k) => k === OPERATOR).get(OPERATOR);
    if (theirs?.service.scheduler !== 'wlc' || theirs.dests.size !== 1 || theirs.dests.get('198.51.100.200:81')?.weight !== 4) {
      throw new Error(`step ${i}: the operator's service changed:\n${ipvsadm(['-Sn'])}`);
    }
    if (!sameTable(mine, desiredTable(desired))) {
      throw new Error(`step ${i}: the kernel table differs from the desired state\nkernel: ${ipvsadm(['-Sn'])}\ndesired: ${JSON.stringify(desired)}`);
    }
    ops += report.added.length + report.updated.length + report.removed.length;
  }
  await engine.close();
  const left = ipvsadm(['-Sn']);
  process.stdout.write(`${JSON.stringify({ steps: states.length, changedServices: ops, failures, ms: Date.now() - started, left: left.trim(), operator: operator.trim() })}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exit(1);
});
