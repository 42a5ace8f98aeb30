// IPVS's counters and its rate estimator (net/netfilter/ipvs/ip_vs_est.c), kept pure:
// the estimator is stepped by whoever owns the timer, every 2 seconds of the injected
// Clock. IPVS measures "the rate during the last 8 seconds every 2 seconds":
//
//     avgrate = avgrate*(1-W) + rate*W,   W = 2^-2
//
// with conns/packets per second scaled by 2^10 and bytes per second by 2^5 inside the
// estimator, and readers rounding to the nearest unit. Everything here copies that
// arithmetic so `--rate` reads the same numbers ipvsadm would for the same traffic.

import type { Clock, TimerHandle } from '../core/clock.js';
import type { StatsSnapshot } from './dataplane.js';

/** The estimator runs every 2 seconds (ip_vs_est.c: mod_timer(..., jiffies + 2*HZ)). */
export const ESTIMATOR_PERIOD_MS = 2000;

/** Monotonic totals, as IPVS's struct ip_vs_stats_user (conns, inpkts, outpkts, inbytes, outbytes). */
export interface CounterValues {
  readonly conns: number;
  readonly inPkts: number;
  readonly outPkts: number;
  readonly inBytes: number;
  readonly outBytes: number;
}

/** Mutable counters a dataplane bumps on its hot path (plain fields: no calls, no allocation). */
export class Counters implements CounterValues {
  conns = 0;
  inPkts = 0;
  outPkts = 0;
  inBytes = 0;
  outBytes = 0;

  add(o: CounterValues): void {
    this.conns += o.conns;
    this.inPkts += o.inPkts;
    this.outPkts += o.outPkts;
    this.inBytes += o.inBytes;
    this.outBytes += o.outBytes;
  }
  values(): CounterValues {
    return { conns: this.conns, inPkts: this.inPkts, outPkts: this.outPkts, inBytes: this.inBytes, outBytes: this.outBytes };
  }
}

/** One packet of `bytes` from a client, counted on its service and on its real server, as IPVS counts both. */
export function countIn(svc: Counters, dest: Counters, bytes: number): void {
  svc.inPkts++;
  svc.inBytes += bytes;
  dest.inPkts++;
  dest.inBytes += bytes;
}

/** One packet of `bytes` from a real server back to its client. */
export function countOut(svc: Counters, dest: Counters, bytes: number): void {
  svc.outPkts++;
  svc.outBytes += bytes;
  dest.outPkts++;
  dest.outBytes += bytes;
}

export interface Rates {
  readonly cps: number;
  readonly inPps: number;
  readonly outPps: number;
  readonly inBps: number;
  readonly outBps: number;
}

export const ZERO_RATES: Rates = { cps: 0, inPps: 0, outPps: 0, inBps: 0, outBps: 0 };

// `x >> 2` on a signed long in C floors; JS shifts are 32-bit, so divide instead.
const ewma = (avg: number, rate: number): number => avg + Math.floor((rate - avg) / 4);

/** One IPVS estimator (struct ip_vs_estimator) over one set of counters. */
export class RateEstimator {
  #lastConns: number;
  #lastInPkts: number;
  #lastOutPkts: number;
  #lastInBytes: number;
  #lastOutBytes: number;
  // Scaled averages: pps/cps << 10, bps << 5.
  #cps = 0;
  #inPps = 0;
  #outPps = 0;
  #inBps = 0;
  #outBps = 0;

  /** ip_vs_new_estimator: start from the counters' current totals, so history is not counted as a burst. */
  constructor(start: CounterValues = { conns: 0, inPkts: 0, outPkts: 0, inBytes: 0, outBytes: 0 }) {
    this.#lastConns = start.conns;
    this.#lastInPkts = start.inPkts;
    this.#lastOutPkts = start.outPkts;
    this.#lastInBytes = start.inBytes;
    this.#lastOutBytes = start.outBytes;
  }

  /** One estimation_timer() step: call exactly every ESTIMATOR_PERIOD_MS with the current totals. */
  sample(c: CounterValues): void {
    // "scaled by 2^10, but divided 2 seconds": << 9 for conns/packets, << 4 for bytes.
    this.#cps = ewma(this.#cps, (c.conns - this.#lastConns) * 512);
    this.#lastConns = c.conns;
    this.#inPps = ewma(this.#inPps, (c.inPkts - this.#lastInPkts) * 512);
    this.#lastInPkts = c.inPkts;
    this.#outPps = ewma(this.#outPps, (c.outPkts - this.#lastOutPkts) * 512);
    this.#lastOutPkts = c.outPkts;
    this.#inBps = ewma(this.#inBps, (c.inBytes - this.#lastInBytes) * 16);
    this.#lastInBytes = c.inBytes;
    this.#outBps = ewma(this.#outBps, (c.outBytes - this.#lastOutBytes) * 16);
    this.#lastOutBytes = c.outBytes;
  }

  /** The rates ipvsadm --rate prints: (avg + 0x1FF) >> 10 and (avg + 0xF) >> 5. */
  rates(): Rates {
    return {
      cps: Math.floor((this.#cps + 0x1ff) / 1024),
      inPps: Math.floor((this.#inPps + 0x1ff) / 1024),
      outPps: Math.floor((this.#outPps + 0x1ff) / 1024),
      inBps: Math.floor((this.#inBps + 0xf) / 32),
      outBps: Math.floor((this.#outBps + 0xf) / 32),
    };
  }
}

export function statsSnapshot(c: CounterValues, r: Rates): StatsSnapshot {
  return {
    conns: c.conns, inPkts: c.inPkts, outPkts: c.outPkts, inBytes: c.inBytes, outBytes: c.outBytes,
    cps: r.cps, inPps: r.inPps, outPps: r.outPps, inBps: r.inBps, outBps: r.outBps,
  };
}

interface Tracked {
  readonly read: () => CounterValues;
  readonly est: RateEstimator;
}

/**
 * Steps a set of estimators every 2 seconds of `clock`, as IPVS's single est_timer walks
 * est_list. Counters are read through a function so a caller can estimate over sums
 * (e.g. totals aggregated across worker processes, as IPVS sums its per-CPU stats first).
 */
export class EstimatorSet<K> {
  readonly #clock: Clock;
  readonly #tracked = new Map<K, Tracked>();
  #timer: TimerHandle | undefined;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Start estimating `key`; a key already tracked keeps its history. */
  track(key: K, read: () => CounterValues): void {
    if (this.#tracked.has(key)) return;
    this.#tracked.set(key, { read, est: new RateEstimator(read()) });
    if (!this.#timer) this.#arm();
  }
  untrack(key: K): void {
    this.#tracked.delete(key);
  }
  rates(key: K): Rates {
    return this.#tracked.get(key)?.est.rates() ?? ZERO_RATES;
  }
  stop(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  #arm(): void {
    this.#timer = this.#clock.setTimer(ESTIMATOR_PERIOD_MS, () => {
      for (const t of this.#tracked.values()) t.est.sample(t.read());
      this.#arm();
    });
  }
}
