// Persistence templates in the shared segment (shared-state.ts), with the semantics of
// persistence.ts's PersistenceTable, so a persistent client keeps its real server
// whichever process accepts it. One fixed-size open-addressing table per persistent
// service; every call but entries() runs under the service's lock (the caller's).
//
// An entry: state (empty, valid, invalid, deleted), generation, the masked client
// address as 16 bytes (IPv4 as ::ffff:a.b.c.d), the destination's slot, a bit per
// process that holds connections through it (IPVS n_control, per process, so the bits
// of a dead worker can be cleared), and when it expires on the shared clock. Entries
// never move: connections hold (entry, generation) and a generation that changed means
// the template they knew is gone.
import { ipBytes } from '../../core/address.js';
import { maskAddress, type PersistDest, type PersistenceOptions, type Template, type Templates } from './persistence.js';
import {
  TEMPLATE_CAPACITY, TEMPLATE_FIELDS as F, T_DELETED, T_EMPTY, T_INVALID, T_VALID, type SharedState,
} from './shared-state.js';

const MASK = TEMPLATE_CAPACITY - 1;

interface SharedTemplate<D extends PersistDest> extends Template<D> {
  readonly e: number;
  readonly gen: number;
}

/** Where a destination slot leads, in this process's view of the service. */
export interface DestSlots<D> {
  destOf(slot: number): D | undefined;
  slotOf(dest: D): number;
}

const key16 = new Int32Array(4);

/** A dotted quad as a 32-bit word, or -1 (then ipBytes decides); the hot path for IPv4 clients. */
function quad(s: string): number {
  let v = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x2e) {
      if (digits === 0 || ++dots > 3) return -1;
      v = (v << 8) | part;
      part = 0;
      digits = 0;
    } else if (c >= 0x30 && c <= 0x39 && digits < 3) {
      part = part * 10 + (c - 0x30);
      if (part > 255) return -1;
      digits++;
    } else {
      return -1;
    }
  }
  if (dots !== 3 || digits === 0) return -1;
  return ((v << 8) | part) >>> 0;
}

/** The masked address as four words in key16; false for text that is no address. */
function encode(key: string): boolean {
  const q = quad(key);
  if (q >= 0) {
    key16[0] = 0;
    key16[1] = 0;
    key16[2] = 0xffff;
    key16[3] = q | 0;
    return true;
  }
  const b = ipBytes(key);
  if (!b) return false;
  if (b.length === 4) {
    key16[0] = 0;
    key16[1] = 0;
    key16[2] = 0xffff | 0;
    key16[3] = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) | 0;
  } else {
    for (let k = 0; k < 4; k++) key16[k] = ((b[4 * k]! << 24) | (b[4 * k + 1]! << 16) | (b[4 * k + 2]! << 8) | b[4 * k + 3]!) | 0;
  }
  return true;
}

function hash(): number {
  let h = 0x9e3779b9;
  for (let k = 0; k < 4; k++) {
    h = Math.imul(h ^ key16[k]!, 0x85ebca6b);
    h ^= h >>> 13;
  }
  // murmur3's finaliser: neighbouring addresses (one /24 of clients) spread over the table.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) & MASK;
}

export class SharedTemplates<D extends PersistDest> implements Templates<D> {
  timeoutMs: number;
  readonly #st: SharedState;
  readonly #table: number;
  readonly #prefix: number;
  readonly #expireQuiescent: boolean;
  readonly #slots: DestSlots<D>;
  /** Templates this process holds connections through, by entry. */
  readonly #mine = new Map<number, SharedTemplate<D>>();
  readonly #word: number;
  readonly #bit: number;

  constructor(st: SharedState, table: number, opts: PersistenceOptions, slots: DestSlots<D>) {
    this.#st = st;
    this.#table = table;
    this.timeoutMs = opts.timeoutMs;
    this.#prefix = opts.prefix;
    this.#expireQuiescent = opts.expireQuiescent === true;
    this.#slots = slots;
    this.#word = st.proc < 32 ? F.T_MASK : F.T_MASK + 1;
    this.#bit = 1 << (st.proc % 32);
  }

  keyFor(clientAddress: string): string {
    return maskAddress(clientAddress, this.#prefix);
  }

  find(key: string, now: number): Template<D> | undefined {
    const e = this.#lookup(key);
    if (e < 0) return undefined;
    const w = this.#st.w;
    const b = this.#st.entry(this.#table, e);
    const snow = now + this.#st.clockOffset;
    if (this.#st.f[(b + F.T_EXPIRES) >> 1]! <= snow && w[b + F.T_MASK] === 0 && w[b + F.T_MASK + 1] === 0) {
      this.#drop(e);
      return undefined;
    }
    const dest = this.#slots.destOf(w[b + F.T_DEST]!);
    if (!dest || !dest.inPool || (this.#expireQuiescent && dest.weight === 0)) {
      w[b + F.T_STATE] = T_INVALID;
      return undefined;
    }
    return this.#template(e, key, dest);
  }

  create(key: string, dest: D, now: number): Template<D> | undefined {
    if (!encode(key)) return undefined;
    const old = this.#lookup(key);
    const w = this.#st.w;
    if (old >= 0) w[this.#st.entry(this.#table, old) + F.T_STATE] = T_INVALID;
    encode(key);
    const start = hash();
    for (let i = 0; i < TEMPLATE_CAPACITY; i++) {
      const e = (start + i) & MASK;
      const b = this.#st.entry(this.#table, e);
      const s = w[b + F.T_STATE];
      if (s !== T_EMPTY && s !== T_DELETED) continue;
      const slot = this.#slots.slotOf(dest);
      w[b + F.T_STATE] = T_VALID;
      w[b + F.T_GEN] = (w[b + F.T_GEN]! + 1) | 0;
      for (let k = 0; k < 4; k++) w[b + F.T_KEY + k] = key16[k]!;
      w[b + F.T_DEST] = slot;
      w[b + F.T_MASK] = 0;
      w[b + F.T_MASK + 1] = 0;
      this.#st.f[(b + F.T_EXPIRES) >> 1] = now + this.#st.clockOffset + this.timeoutMs;
      this.#st.addPersist(slot, 1);
      return this.#template(e, key, dest);
    }
    return undefined;
  }

  attach(t: Template<D>, now: number): void {
    const st = t as SharedTemplate<D>;
    const b = this.#st.entry(this.#table, st.e);
    const w = this.#st.w;
    st.controlled++;
    st.expiresAt = now + this.timeoutMs;
    if (w[b + F.T_GEN] !== st.gen) return;
    this.#st.f[(b + F.T_EXPIRES) >> 1] = now + this.#st.clockOffset + this.timeoutMs;
    if (st.controlled === 1) {
      w[b + this.#word] = w[b + this.#word]! | this.#bit;
      this.#mine.set(st.e, st);
    }
  }

  detach(t: Template<D>): void {
    const st = t as SharedTemplate<D>;
    if (st.controlled > 0) st.controlled--;
    if (st.controlled > 0) return;
    if (this.#mine.get(st.e) === st) this.#mine.delete(st.e);
    const b = this.#st.entry(this.#table, st.e);
    if (this.#st.w[b + F.T_GEN] === st.gen) this.#st.w[b + this.#word] = this.#st.w[b + this.#word]! & ~this.#bit;
  }

  /** Only the daemon (process slot 0) runs the timers; lookups drop what is due meanwhile. */
  sweep(now: number): number | undefined {
    if (this.#st.proc !== 0) return undefined;
    const w = this.#st.w;
    const snow = now + this.#st.clockOffset;
    let next: number | undefined;
    for (let e = 0; e < TEMPLATE_CAPACITY; e++) {
      const b = this.#st.entry(this.#table, e);
      const s = w[b + F.T_STATE];
      if (s !== T_VALID && s !== T_INVALID) continue;
      const fi = (b + F.T_EXPIRES) >> 1;
      if (this.#st.f[fi]! <= snow) {
        if (w[b + F.T_MASK] === 0 && w[b + F.T_MASK + 1] === 0) {
          this.#drop(e);
          continue;
        }
        this.#st.f[fi] = snow + this.timeoutMs;
      }
      const at = this.#st.f[fi]! - this.#st.clockOffset;
      if (next === undefined || at < next) next = at;
    }
    return next;
  }

  clear(): void {
    const w = this.#st.w;
    for (let e = 0; e < TEMPLATE_CAPACITY; e++) {
      const s = w[this.#st.entry(this.#table, e) + F.T_STATE];
      if (s === T_VALID || s === T_INVALID) this.#drop(e);
    }
    this.#mine.clear();
  }

  /** Every template, listed by the daemon only (a cluster's listing is the sum of its processes'). */
  *entries(): IterableIterator<Template<D>> {
    if (this.#st.proc !== 0) return;
    const w = this.#st.w;
    for (let e = 0; e < TEMPLATE_CAPACITY; e++) {
      const b = this.#st.entry(this.#table, e);
      const s = w[b + F.T_STATE];
      if (s !== T_VALID && s !== T_INVALID) continue;
      const dest = this.#slots.destOf(w[b + F.T_DEST]!);
      if (!dest) continue;
      const t = this.#template(e, keyText(w, b + F.T_KEY), dest);
      t.expiresAt = this.#st.f[(b + F.T_EXPIRES) >> 1]! - this.#st.clockOffset;
      t.valid = s === T_VALID;
      yield t;
    }
  }

  /** The entry of the valid template for `key`, or -1. Leaves the key in key16. */
  #lookup(key: string): number {
    if (!encode(key)) return -1;
    const w = this.#st.w;
    const start = hash();
    for (let i = 0; i < TEMPLATE_CAPACITY; i++) {
      const e = (start + i) & MASK;
      const b = this.#st.entry(this.#table, e);
      const s = w[b + F.T_STATE];
      if (s === T_EMPTY) return -1;
      if (s === T_VALID && w[b + F.T_KEY] === key16[0] && w[b + F.T_KEY + 1] === key16[1] &&
        w[b + F.T_KEY + 2] === key16[2] && w[b + F.T_KEY + 3] === key16[3]) return e;
    }
    return -1;
  }

  #template(e: number, key: string, dest: D): SharedTemplate<D> {
    const b = this.#st.entry(this.#table, e);
    const gen = this.#st.w[b + F.T_GEN]!;
    const mine = this.#mine.get(e);
    if (mine && mine.gen === gen) return mine;
    const expiresAt = this.#st.f[(b + F.T_EXPIRES) >> 1]! - this.#st.clockOffset;
    return { e, gen, key, dest, expiresAt, controlled: 0, valid: true, alive: true };
  }

  /** Drop entry `e`: persistconns goes down; the slot is reusable (empty if nothing probes past it). */
  #drop(e: number): void {
    const w = this.#st.w;
    const b = this.#st.entry(this.#table, e);
    this.#st.addPersist(w[b + F.T_DEST]!, -1);
    w[b + F.T_GEN] = (w[b + F.T_GEN]! + 1) | 0;
    const mine = this.#mine.get(e);
    if (mine) {
      mine.alive = false;
      mine.valid = false;
      this.#mine.delete(e);
    }
    // A deleted entry followed by an empty one ends every probe anyway: make it (and the
    // deleted run before it) empty, so tombstones do not pile up.
    if (w[this.#st.entry(this.#table, (e + 1) & MASK) + F.T_STATE] !== T_EMPTY) {
      w[b + F.T_STATE] = T_DELETED;
      return;
    }
    w[b + F.T_STATE] = T_EMPTY;
    for (let i = (e - 1) & MASK; i !== e; i = (i - 1) & MASK) {
      const bi = this.#st.entry(this.#table, i);
      if (w[bi + F.T_STATE] !== T_DELETED) break;
      w[bi + F.T_STATE] = T_EMPTY;
    }
  }
}

function keyText(w: Int32Array, at: number): string {
  if (w[at] === 0 && w[at + 1] === 0 && w[at + 2] === 0xffff) {
    const v = w[at + 3]!;
    return `${(v >>> 24) & 255}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
  }
  const parts: string[] = [];
  for (let k = 0; k < 4; k++) {
    const v = w[at + k]!;
    parts.push(((v >>> 16) & 0xffff).toString(16), (v & 0xffff).toString(16));
  }
  return parts.join(':');
}
