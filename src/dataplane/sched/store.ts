// Where a scheduler keeps what it carries from one pick to the next (rr's last choice,
// wrr's position and current weight), so that several processes can schedule as one
// IPVS table. A LocalStore is a few words of this process; the proxy hands every
// process of one halb a view of the same words in a shared memory segment, which the
// engine reads and writes only while it holds that service's lock. Schedulers stay
// pure: they see get/set on integers, never the segment.

/** Words a scheduler may use in its store. */
export const SCHED_STORE_WORDS = 8;

export interface SchedStore {
  /** Word `i` (0 <= i < SCHED_STORE_WORDS) as a signed 32-bit integer; 0 in a fresh store. */
  get(i: number): number;
  set(i: number, v: number): void;
}

/** A store private to one scheduler instance. */
export class LocalStore implements SchedStore {
  readonly #words = new Int32Array(SCHED_STORE_WORDS);
  get(i: number): number {
    return this.#words[i] ?? 0;
  }
  set(i: number, v: number): void {
    this.#words[i] = v;
  }
}

/**
 * A 32-bit fingerprint of the pool (ids and weights), never 0: a store records which
 * pool its words were written against, so a process that sees a reload first remaps
 * them once and the others find them already remapped. `seed` names the scheduler.
 */
export function poolFingerprint(dests: readonly { readonly id: string; readonly weight: number }[], seed = 0): number {
  // The seed tells schedulers apart: words rr wrote are never taken for wrr's.
  let h = (0x811c9dc5 ^ seed) | 0;
  const mix = (c: number): void => {
    h ^= c;
    h = Math.imul(h, 0x01000193);
  };
  for (const d of dests) {
    for (let i = 0; i < d.id.length; i++) mix(d.id.charCodeAt(i));
    mix(0x2c);
    const w = Number.isFinite(d.weight) ? Math.floor(d.weight) | 0 : 0;
    mix(w & 0xff);
    mix((w >>> 8) & 0xff);
    mix((w >>> 16) & 0xff);
    mix((w >>> 24) & 0xff);
    mix(0x3b);
  }
  return h === 0 ? 1 : h | 0;
}

/** A 32-bit hash of a destination id: stores name a server by it, whatever its index in a process's pool. */
export function idHash(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}
