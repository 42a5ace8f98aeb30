// rr: Round-Robin (net/netfilter/ipvs/ip_vs_rr.c). The next available server after the
// one chosen last, wrapping around; quiesced (weight 0) and overloaded servers are
// skipped. The position lives in a SchedStore, so processes sharing one store share
// one rotation.
import type { DestView, SchedRequest, Scheduler } from './types.js';
import { isAvailable, PoolTracker } from './pool.js';
import { idHash, LocalStore, poolFingerprint, type SchedStore } from './store.js';

const FP = 0;
const FP_LAST = 1;
const FP_LAST_ID = 2;

export class RoundRobinScheduler implements Scheduler {
  readonly name = 'rr' as const;
  // IPVS keeps svc->sched_data pointing at the dest chosen last (or the list head). The
  // store holds [pool fingerprint, index of the last choice + 1 (0: the head), its id's
  // hash]: a process whose pool differs (a reload, or a retry's pool without the server
  // that failed) finds the server by its id.
  readonly #store: SchedStore;
  readonly #pool = new PoolTracker();
  #fp = 0;
  #prevFp = 0;
  readonly #hashes = new Map<string, number>();

  constructor(store: SchedStore = new LocalStore()) {
    this.#store = store;
  }

  poolChanged(dests: readonly DestView[]): void {
    this.#pool.invalidate();
    this.#sync(dests);
  }

  pick(dests: readonly DestView[], _req?: SchedRequest): DestView | undefined {
    this.#sync(dests);
    const n = dests.length;
    const last = this.#store.get(FP_LAST) - 1;
    // Scan n entries starting after the last choice (from the head when there is none),
    // so the last choice itself is checked last, as ip_vs_rr_schedule() does.
    for (let k = 0; k < n; k++) {
      const i = (last + 1 + k) % n;
      const d = dests[i] as DestView;
      if (isAvailable(d)) {
        this.#store.set(FP_LAST, i + 1);
        this.#store.set(FP_LAST_ID, this.#hash(d.id));
        return d;
      }
    }
    return undefined;
  }

  #sync(dests: readonly DestView[]): void {
    if (this.#pool.changed(dests)) {
      this.#prevFp = this.#fp;
      this.#fp = poolFingerprint(dests, 0x7272);
    }
    const st = this.#store;
    const written = st.get(FP);
    if (written === this.#fp) return;
    st.set(FP, this.#fp);
    const last = st.get(FP_LAST) - 1;
    if (last < 0) return;
    const h = st.get(FP_LAST_ID);
    const at = dests.findIndex((d) => this.#hash(d.id) === h);
    if (at >= 0) {
      st.set(FP_LAST, at + 1);
      return;
    }
    // Gone from a pool this process never knew: start from the head.
    if (written !== this.#prevFp) {
      st.set(FP_LAST, 0);
      return;
    }
    const before = this.#pool.previousIds;
    // ip_vs_rr_del_dest(): when the remembered dest leaves, step back to its predecessor
    // so the dest that followed it comes next.
    for (let j = last - 1; j >= 0; j--) {
      const prev = dests.findIndex((d) => d.id === before[j]);
      if (prev >= 0) {
        st.set(FP_LAST, prev + 1);
        st.set(FP_LAST_ID, this.#hash(before[j]!));
        return;
      }
    }
    st.set(FP_LAST, 0);
  }

  #hash(id: string): number {
    let h = this.#hashes.get(id);
    if (h === undefined) {
      if (this.#hashes.size >= 4096) this.#hashes.clear();
      h = idHash(id);
      this.#hashes.set(id, h);
    }
    return h;
  }
}
