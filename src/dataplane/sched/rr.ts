// rr: Round-Robin (net/netfilter/ipvs/ip_vs_rr.c). The next available server after the
// one chosen last, wrapping around; quiesced (weight 0) and overloaded servers are
// skipped.
import type { DestView, SchedRequest, Scheduler } from './types.js';
import { isAvailable, PoolTracker } from './pool.js';

export class RoundRobinScheduler implements Scheduler {
  readonly name = 'rr' as const;
  // IPVS keeps svc->sched_data pointing at the dest chosen last (or the list head).
  #lastId: string | undefined;
  #lastIndex = -1;
  readonly #pool = new PoolTracker();

  poolChanged(dests: readonly DestView[]): void {
    this.#pool.invalidate();
    this.#sync(dests);
  }

  pick(dests: readonly DestView[], _req?: SchedRequest): DestView | undefined {
    this.#sync(dests);
    const n = dests.length;
    // Scan n entries starting after the last choice (from the head when there is none),
    // so the last choice itself is checked last, as ip_vs_rr_schedule() does.
    for (let k = 0; k < n; k++) {
      const i = (this.#lastIndex + 1 + k) % n;
      const d = dests[i] as DestView;
      if (isAvailable(d)) {
        this.#lastIndex = i;
        this.#lastId = d.id;
        return d;
      }
    }
    return undefined;
  }

  #sync(dests: readonly DestView[]): void {
    if (!this.#pool.changed(dests) || this.#lastId === undefined) return;
    const at = dests.findIndex((d) => d.id === this.#lastId);
    if (at >= 0) {
      this.#lastIndex = at;
      return;
    }
    // ip_vs_rr_del_dest(): when the remembered dest leaves, step back to its predecessor
    // so the dest that followed it comes next.
    const before = this.#pool.previousIds;
    for (let j = before.indexOf(this.#lastId) - 1; j >= 0; j--) {
      const prev = dests.findIndex((d) => d.id === before[j]);
      if (prev >= 0) {
        this.#lastIndex = prev;
        this.#lastId = before[j];
        return;
      }
    }
    this.#lastIndex = -1;
    this.#lastId = undefined;
  }
}
