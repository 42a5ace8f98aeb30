// What scheduling from the shared segment costs per connection: ServiceRuntime's
// select() + release() (the only per-connection work that touches shared state; the
// established/closing transitions add one plain store each) in a loop, with the state
// in this process alone and in the memfd segment the proxy's processes share. One
// process, so no cache line moves between cores here: the wrk runs in
// proxy-throughput.ts show that part.
import { RealClock } from '../src/core/clock.js';
import type { VirtualServiceSpec } from '../src/dataplane/model.js';
import { serviceKey } from '../src/dataplane/model.js';
import { createScheduler } from '../src/dataplane/sched/index.js';
import { ServiceRuntime, type ServiceOptions } from '../src/dataplane/proxy/service.js';
import { SEGMENT_BYTES, SharedState } from '../src/dataplane/proxy/shared-state.js';
import { SlotAllocator } from '../src/dataplane/proxy/shared-layout.js';
import { EstimatorSet } from '../src/dataplane/stats.js';
import { createSegment, yieldCpu } from '../src/sys/shm.js';

export interface SchedCost {
  readonly case: string;
  readonly localNs: number;
  readonly sharedNs: number;
}

const N = 300_000;

function spec(scheduler: VirtualServiceSpec['scheduler'], persistent: boolean): VirtualServiceSpec {
  return {
    protocol: 'TCP', address: '127.0.0.1', port: 80, scheduler, quorumUp: true,
    realServers: [1, 2, 3].map((i) => ({ address: '127.0.0.1', port: 9000 + i, weight: i, healthy: true })),
    ...(persistent ? { persistence: { timeoutMs: 300_000 } } : {}),
  };
}

function perConn(svc: ServiceRuntime, clients: number): number {
  const srcs = Array.from({ length: clients }, (_, i) => ({ remoteAddress: `198.51.100.${(i % 250) + 1}`, remotePort: 40000 + i }));
  const now = performance.now();
  const run = (n: number): void => {
    for (let i = 0; i < n; i++) {
      const sel = svc.select(srcs[i % clients]!, now)!;
      svc.release(sel.dest, sel.template, false);
    }
  };
  run(N / 10);
  const t0 = process.hrtime.bigint();
  run(N);
  return Number(process.hrtime.bigint() - t0) / N;
}

export function schedulingCost(): SchedCost[] {
  const clock = new RealClock();
  const seg = createSegment(SEGMENT_BYTES);
  const st = new SharedState(seg.buffer, 0, yieldCpu, clock.now());
  st.format(4);
  const slots = new SlotAllocator(st);
  const out: SchedCost[] = [];
  for (const [name, sched, persistent] of [['rr', 'rr', false], ['wrr', 'wrr', false], ['wlc', 'wlc', false], ['rr persistent', 'rr', true]] as const) {
    const s = spec(sched, persistent);
    const layout = slots.assign([s]);
    const estimators = new EstimatorSet<object>(clock);
    const base: ServiceOptions = {
      schedulers: createScheduler, defaultConnectTimeoutMs: 5000, expireQuiescentTemplate: false, random: Math.random, estimators,
    };
    const local = new ServiceRuntime(s, { services: [s] }, base);
    const shared = new ServiceRuntime(s, { services: [s] }, { ...base, shared: { state: st, layout: () => layout } });
    if (!shared.shared || layout[serviceKey(s)] === undefined) throw new Error('bench: the service got no shared slot');
    out.push({ case: name, localNs: perConn(local, 250), sharedNs: perConn(shared, 250) });
    shared.clearPersistence();
    estimators.stop();
    slots.assign([]);
    slots.collect();
  }
  return out;
}
