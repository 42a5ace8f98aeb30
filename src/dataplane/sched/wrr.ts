// wrr: Weighted Round-Robin (net/netfilter/ipvs/ip_vs_wrr.c), IPVS's interleaved
// algorithm rather than "A A A A B B B C C":
//
//   di = gcd of the positive weights, mw = max weight - (di - 1), cw starts at mw.
//   Walk the pool from the last choice; take the next server with weight >= cw.
//   At the end of the pool, cw -= di and start again from the head; when cw drops
//   to 0 it goes back to mw. With weights 4,3,2 one cycle is A A B A B C A B C.
//
// Lowering mw by (di - 1) makes the last pass run with cw = 1, so a server whose
// weight fell below di is still found (the kernel's comment explains the race that
// motivates it). Any weight change resets the walk to the head, as
// ip_vs_wrr_dest_changed() does.
//
// The position (cl, cw) lives in a SchedStore so that processes sharing one store walk
// one sequence; mw and di follow from the pool and are computed by each process.
import assert from 'node:assert/strict';
import type { DestView, SchedRequest, Scheduler } from './types.js';
import { gcd, isOverloaded, PoolTracker, weightOf } from './pool.js';
import { LocalStore, poolFingerprint, type SchedStore } from './store.js';

/** Store words: the pool fingerprint the position was written against, cl + 1, cw. */
const W_FP = 0;
const W_CL = 1;
const W_CW = 2;

/** Position -1 is the list head (IPVS mark->cl pointing at &svc->destinations). */
const HEAD = -1;

export interface WrrSnapshot {
  /** Index of the last chosen server in the pool, or -1 for the head. */
  readonly cl: number;
  readonly cw: number;
  readonly mw: number;
  readonly di: number;
}

export class WeightedRoundRobinScheduler implements Scheduler {
  readonly name = 'wrr' as const;
  #cl = HEAD;
  #cw = 0;
  #mw = 0;
  #di = 1;
  #fp = 0;
  readonly #store: SchedStore;
  readonly #pool = new PoolTracker();

  constructor(store: SchedStore = new LocalStore()) {
    this.#store = store;
  }

  poolChanged(dests: readonly DestView[]): void {
    this.#pool.invalidate();
    this.#load(dests);
  }

  snapshot(): WrrSnapshot {
    return { cl: this.#store.get(W_CL) - 1, cw: this.#store.get(W_CW), mw: this.#mw, di: this.#di };
  }

  pick(dests: readonly DestView[], _req?: SchedRequest): DestView | undefined {
    this.#load(dests);
    try {
      return this.#walk(dests);
    } finally {
      this.#store.set(W_CL, this.#cl + 1);
      this.#store.set(W_CW, this.#cw);
    }
  }

  /** Read the position from the store; a store written against another pool gets ip_vs_wrr_dest_changed(). */
  #load(dests: readonly DestView[]): void {
    if (this.#pool.changed(dests)) {
      this.#fp = poolFingerprint(dests, 0x777272);
      this.#weights(dests);
    }
    const st = this.#store;
    this.#cl = st.get(W_CL) - 1;
    this.#cw = st.get(W_CW);
    if (st.get(W_FP) === this.#fp) return;
    this.#destChanged();
    st.set(W_FP, this.#fp);
    st.set(W_CL, this.#cl + 1);
    st.set(W_CW, this.#cw);
  }

  #walk(dests: readonly DestView[]): DestView | undefined {
    // "No available dests?"
    if (this.#mw === 0) return undefined;
    let maxAvail = 0;
    for (const d of dests) if (!isOverloaded(d) && weightOf(d) > maxAvail) maxAvail = weightOf(d);
    if (maxAvail === 0) {
      // Every server is overloaded. The kernel would walk all mw/di passes to learn it;
      // jump to the state that walk ends in. cw stays congruent to 1 mod di, so a walk
      // from a server with cw <= di (cw = 1) stops at that server after one restart, and
      // any other walk ends at the head with cw reset to mw.
      if (this.#cl === HEAD || this.#cw > this.#di) {
        this.#cl = HEAD;
        this.#cw = this.#mw;
      }
      return undefined;
    }
    const n = dests.length;
    // A position written against a longer pool by a process a reload ahead or behind.
    if (this.#cl >= n) this.#cl = HEAD;
    const last = this.#cl;
    let dest = this.#cl;
    let stop: number | undefined;
    let lastPass = false;
    let restarted = false;
    // With the shortcut below a walk takes a handful of passes; the bound only keeps a
    // bug from turning into a hung worker.
    const maxPasses = 2 * (Math.ceil(this.#mw / this.#di) + 2);
    for (let pass = 0; ; pass++) {
      assert.ok(pass <= maxPasses, 'wrr: walk did not terminate');
      for (dest = dest + 1; dest < n; dest++) {
        const d = dests[dest] as DestView;
        if (!isOverloaded(d) && weightOf(d) >= this.#cw) {
          this.#cl = dest;
          return d;
        }
        if (dest === stop) {
          this.#cl = dest;
          return undefined;
        }
      }
      dest = HEAD;
      this.#cw -= this.#di;
      if (this.#cw <= 0) {
        this.#cw = this.#mw;
        // Stop if the last pass (cw <= di) already checked every server, or the walk
        // began at the head so the first traversal covered everything.
        if (lastPass || last === HEAD) {
          this.#cl = HEAD;
          return undefined;
        }
        restarted = true;
      }
      // Passes from the head with cw above every usable weight find nothing, and the
      // kernel makes them one by one (a weight of 10000 next to 1 costs 10000 passes).
      // Skip to the first cw that can match; it is >= 1, so no restart is skipped, and
      // lastPass/stop only concern cw <= di, which is never skipped over.
      if (this.#cw > maxAvail) this.#cw -= Math.ceil((this.#cw - maxAvail) / this.#di) * this.#di;
      lastPass = this.#cw <= this.#di;
      // The first traversal for weight >= 1 covered only servers after `last`; finish
      // with the ones up to and including it.
      if (lastPass && restarted && last !== HEAD) stop = last;
    }
  }

  /** mw and di of the pool (the first half of ip_vs_wrr_dest_changed()). */
  #weights(dests: readonly DestView[]): void {
    let g = 0;
    let max = 0;
    for (const d of dests) {
      const w = weightOf(d);
      if (w > 0) g = g > 0 ? gcd(w, g) : w;
      if (w > max) max = w;
    }
    this.#di = g > 0 ? g : 1;
    this.#mw = max - (this.#di - 1);
  }

  /** ip_vs_wrr_dest_changed(): back to the head, cw brought into the new range. */
  #destChanged(): void {
    this.#cl = HEAD;
    if (this.#cw > this.#mw || this.#cw <= 0) this.#cw = this.#mw;
    else if (this.#di > 1) this.#cw = Math.floor(this.#cw / this.#di) * this.#di + 1;
  }
}
