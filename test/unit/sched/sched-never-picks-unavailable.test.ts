import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { DestView, SchedRequest, SchedulerName } from '../../../src/dataplane/sched/types.js';
import { SCHEDULER_NAMES, createScheduler } from '../../../src/dataplane/sched/index.js';

const destArb = fc.record({
  id: fc.oneof(
    fc.integer({ min: 1, max: 12 }).map((n) => `192.0.2.${n}:80`),
    fc.integer({ min: 1, max: 4 }).map((n) => `[2001:db8::${n}]:443`),
    fc.string({ maxLength: 6 }),
  ),
  weight: fc.oneof(
    fc.integer({ min: 0, max: 5 }),
    fc.integer({ min: 0, max: 70000 }),
    fc.integer({ min: 2 ** 31 - 3, max: 2 ** 31 + 3 }),
    fc.constantFrom(0, -1, 0.5, 1e12, Number.NaN, Number.POSITIVE_INFINITY),
  ),
  activeConns: fc.oneof(fc.nat({ max: 20 }), fc.nat(), fc.constantFrom(-3, Number.NaN)),
  inactiveConns: fc.oneof(fc.nat({ max: 500 }), fc.constantFrom(-1, Number.NaN)),
  overloaded: fc.option(fc.boolean(), { nil: undefined }),
});

const reqArb = fc.record({
  clientAddr: fc.oneof(fc.ipV4(), fc.ipV6(), fc.string({ maxLength: 12 })),
  clientPort: fc.oneof(fc.integer({ min: 0, max: 65535 }), fc.constantFrom(-1, 70000, Number.NaN)),
  destAddr: fc.oneof(fc.ipV4(), fc.ipV6(), fc.constantFrom('203.0.113.1', '203.0.113.2')),
  destPort: fc.integer({ min: 0, max: 65535 }),
  nowStep: fc.oneof(fc.nat({ max: 120_000 }), fc.nat({ max: 200_000_000 })),
  random: fc.option(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { nil: undefined }),
});

/** A step: the pool as it is now (possibly changed) and one new connection to schedule. */
const stepArb = fc.record({ pool: fc.array(destArb, { maxLength: 8 }), req: reqArb, reuse: fc.boolean() });

function usable(d: DestView): boolean {
  return Number.isFinite(d.weight) && d.weight >= 1 && d.overloaded !== true;
}

for (const name of SCHEDULER_NAMES) {
  for (const flags of name === 'sh' || name === 'mh' ? [{}, { fallback: true }, { port: true, fallback: true }] : [{}]) {
    test(`${name}${JSON.stringify(flags)}: pick() never returns a quiesced, overloaded or foreign server and never throws`, () => {
      fc.assert(
        fc.property(fc.array(stepArb, { minLength: 1, maxLength: 25 }), (steps) => {
          const s = createScheduler(name as SchedulerName, flags);
          let now = 0;
          let current: DestView[] = [];
          for (const step of steps) {
            // Sometimes the pool stays the same array with its counters moved on.
            current = step.reuse && current.length > 0 ? current.map((d) => ({ ...d, activeConns: d.activeConns + 1 })) : step.pool;
            now += step.req.nowStep;
            const r: SchedRequest = { ...step.req, now };
            const got = s.pick(current, r);
            if (got === undefined) continue;
            assert.ok(current.includes(got), 'returns a member of the pool given');
            assert.ok(usable(got), `returned ${JSON.stringify(got)}`);
          }
        }),
        { numRuns: 300 },
      );
    });
  }
}

test('schedulers that must find a server do, whenever one is usable', () => {
  // rr, wrr, the least-connection family, fo, twos and the locality schedulers always
  // serve if any server may take a connection (the hashing ones may legitimately not).
  const total: SchedulerName[] = ['rr', 'wrr', 'lc', 'wlc', 'sed', 'nq', 'fo', 'twos', 'lblc', 'lblcr'];
  for (const name of total) {
    fc.assert(
      fc.property(fc.array(destArb, { maxLength: 8 }), reqArb, (p, rq) => {
        const got = createScheduler(name).pick(p, { ...rq, now: rq.nowStep });
        assert.equal(got !== undefined, p.some(usable), name);
      }),
      { numRuns: 300 },
    );
  }
});
