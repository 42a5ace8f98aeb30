// The scheduling state every process of one halb shares (docs/dataplane-proxy.md,
// "One IPVS table across processes"): a memory segment the daemon creates and each
// worker maps (src/sys/shm.ts), seen here as an ArrayBuffer. Pure over that buffer.
//
// Layout, in 32-bit words, fixed at creation so that a reload never moves anything a
// live connection points at; a reload only takes and gives back slots (shared-layout.ts):
//
//   header     magic, version, process slots in use, the pid of each process slot
//   services   SERVICE_SLOTS x [lock, -, -, -, -, -, -, -, scheduler store (8 words)]
//   dests      DEST_SLOTS x [overloaded, persistconns, -, -, active[p], inactive[p]]
//   templates  TEMPLATE_TABLES x TEMPLATE_CAPACITY entries (persistence templates)
//
// Writers: a process changes only its own active/inactive words without the lock
// (connection state changes); everything else (scheduler store, overload flag,
// persistconns, templates) only while holding the service's lock. Counts are per
// process and summed on read, so when a worker dies the daemon zeroes its words and the
// counts are the truth again (its connections died with it).
import type { SchedStore } from '../sched/store.js';
import { SCHED_STORE_WORDS } from '../sched/store.js';

export const MAX_PROCS = 64;
export const SERVICE_SLOTS = 1024;
export const DEST_SLOTS = 8192;
export const TEMPLATE_TABLES = 64;
/** Persistence templates per persistent service (open addressing, power of two). */
export const TEMPLATE_CAPACITY = 16384;

const MAGIC = 0x68616c62;
const VERSION = 1;
const H_MAGIC = 0;
const H_VERSION = 1;
const H_PROCS = 2;
const H_PIDS = 16;
const HEADER_WORDS = H_PIDS + MAX_PROCS;

const SVC_WORDS = 16;
const S_LOCK = 0;
const S_STORE = 8;

const D_OVER = 0;
const D_PERSIST = 1;
const D_ACTIVE = 4;
const D_INACTIVE = D_ACTIVE + MAX_PROCS;
const DEST_WORDS = D_INACTIVE + MAX_PROCS;

/** Template entry: state, gen, key[4], dest slot, mask lo, mask hi, -, expiresAt (float64). */
export const T_WORDS = 12;
const T_STATE = 0;
const T_GEN = 1;
const T_KEY = 2;
const T_DEST = 6;
const T_MASK = 7;
const T_EXPIRES = 10;
export const T_EMPTY = 0;
export const T_VALID = 1;
export const T_INVALID = 2;
export const T_DELETED = 3;

const SVC_BASE = HEADER_WORDS;
const DEST_BASE = SVC_BASE + SERVICE_SLOTS * SVC_WORDS;
const TPL_BASE = DEST_BASE + DEST_SLOTS * DEST_WORDS;
const TABLE_WORDS = TEMPLATE_CAPACITY * T_WORDS;
const TOTAL_WORDS = TPL_BASE + TEMPLATE_TABLES * TABLE_WORDS;
/** Bytes to allocate for the segment (sparse: only touched pages cost memory). */
export const SEGMENT_BYTES = TOTAL_WORDS * 4;

/** Spins between sched_yield() calls while another process holds a lock. */
const SPINS_PER_YIELD = 64;
/** Yields before checking whether the holder is still alive. */
const YIELDS_PER_CHECK = 1024;

export class SharedState {
  readonly w: Int32Array;
  readonly f: Float64Array;
  /** This process's slot: 0 for the daemon, 1.. for workers. */
  readonly proc: number;
  /** Add to this process's Clock time to get the time every process agrees on (CLOCK_MONOTONIC ms). */
  readonly clockOffset: number;
  readonly #yield: () => void;

  constructor(buffer: ArrayBuffer, proc: number, yieldCpu: () => void, localNow: number) {
    if (buffer.byteLength < SEGMENT_BYTES) throw new RangeError(`shared segment too small: ${buffer.byteLength} < ${SEGMENT_BYTES}`);
    if (!Number.isInteger(proc) || proc < 0 || proc >= MAX_PROCS) throw new RangeError(`process slot ${proc} out of range`);
    this.w = new Int32Array(buffer, 0, TOTAL_WORDS);
    this.f = new Float64Array(buffer, 0, TOTAL_WORDS / 2);
    this.proc = proc;
    this.#yield = yieldCpu;
    this.clockOffset = Number(process.hrtime.bigint()) / 1e6 - localNow;
  }

  /** The daemon: stamp a fresh segment and say how many process slots are in use. */
  format(procs: number): void {
    if (procs < 1 || procs > MAX_PROCS) throw new RangeError(`${procs} processes: at most ${MAX_PROCS} share one state`);
    this.w[H_MAGIC] = MAGIC;
    this.w[H_VERSION] = VERSION;
    Atomics.store(this.w, H_PROCS, procs);
  }

  /** A worker: check the segment is one we understand. */
  check(): void {
    if (this.w[H_MAGIC] !== MAGIC || this.w[H_VERSION] !== VERSION) throw new RangeError('shared segment has an unknown layout');
  }

  get procs(): number {
    return this.w[H_PROCS]!;
  }

  setPid(proc: number, pid: number): void {
    Atomics.store(this.w, H_PIDS + proc, pid);
  }

  // ---- service locks -------------------------------------------------------------

  lock(svc: number): void {
    const i = SVC_BASE + svc * SVC_WORDS + S_LOCK;
    const me = this.proc + 1;
    if (Atomics.compareExchange(this.w, i, 0, me) === 0) return;
    let spins = 0;
    for (;;) {
      const owner = Atomics.load(this.w, i);
      if (owner === 0) {
        if (Atomics.compareExchange(this.w, i, 0, me) === 0) return;
        continue;
      }
      if (owner === me) throw new Error('shared scheduler lock taken twice by one process');
      if (++spins % SPINS_PER_YIELD !== 0) continue;
      this.#yield();
      // The holder died inside its critical section before the daemon noticed: take over.
      if (spins % (SPINS_PER_YIELD * YIELDS_PER_CHECK) === 0 && !this.#alive(owner - 1) &&
        Atomics.compareExchange(this.w, i, owner, me) === owner) return;
    }
  }

  unlock(svc: number): void {
    Atomics.store(this.w, SVC_BASE + svc * SVC_WORDS + S_LOCK, 0);
  }

  #alive(proc: number): boolean {
    const pid = Atomics.load(this.w, H_PIDS + proc);
    if (pid <= 0) return false;
    try {
      process.kill(pid, 0);
      return true;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'EPERM';
    }
  }

  /** The scheduler store of a service slot (read and written under its lock). */
  store(svc: number): SchedStore {
    const base = SVC_BASE + svc * SVC_WORDS + S_STORE;
    const w = this.w;
    return {
      get: (k) => w[base + k]!,
      set: (k, v) => { w[base + k] = v; },
    };
  }

  // ---- destinations --------------------------------------------------------------

  destBase(slot: number): number {
    return DEST_BASE + slot * DEST_WORDS;
  }

  active(slot: number): number {
    const b = DEST_BASE + slot * DEST_WORDS + D_ACTIVE;
    const w = this.w;
    let n = 0;
    for (let p = 0, np = w[H_PROCS]!; p < np; p++) n += w[b + p]!;
    return n;
  }

  inactive(slot: number): number {
    const b = DEST_BASE + slot * DEST_WORDS + D_INACTIVE;
    const w = this.w;
    let n = 0;
    for (let p = 0, np = w[H_PROCS]!; p < np; p++) n += w[b + p]!;
    return n;
  }

  /** Change this process's own counts of a destination (no lock: nobody else writes them). */
  addOwn(slot: number, active: number, inactive: number): void {
    const b = DEST_BASE + slot * DEST_WORDS;
    this.w[b + D_ACTIVE + this.proc] = this.w[b + D_ACTIVE + this.proc]! + active;
    this.w[b + D_INACTIVE + this.proc] = this.w[b + D_INACTIVE + this.proc]! + inactive;
  }

  overloaded(slot: number): boolean {
    return this.w[DEST_BASE + slot * DEST_WORDS + D_OVER] !== 0;
  }
  setOverloaded(slot: number, on: boolean): void {
    this.w[DEST_BASE + slot * DEST_WORDS + D_OVER] = on ? 1 : 0;
  }
  persistConns(slot: number): number {
    return this.w[DEST_BASE + slot * DEST_WORDS + D_PERSIST]!;
  }
  addPersist(slot: number, n: number): void {
    this.w[DEST_BASE + slot * DEST_WORDS + D_PERSIST] = this.w[DEST_BASE + slot * DEST_WORDS + D_PERSIST]! + n;
  }

  /** No connection in any process and no template points at it: the slot may be reused. */
  destIdle(slot: number): boolean {
    return this.active(slot) === 0 && this.inactive(slot) === 0 && this.persistConns(slot) === 0;
  }

  // ---- slots: (re)initialisation ---------------------------------------------------

  resetService(svc: number): void {
    const b = SVC_BASE + svc * SVC_WORDS;
    this.w.fill(0, b + 1, b + SVC_WORDS);
    for (let k = 0; k < SCHED_STORE_WORDS; k++) this.w[b + S_STORE + k] = 0;
  }

  resetDest(slot: number): void {
    const b = DEST_BASE + slot * DEST_WORDS;
    this.w.fill(0, b, b + DEST_WORDS);
  }

  resetTable(table: number): void {
    const b = TPL_BASE + table * TABLE_WORDS;
    this.w.fill(0, b, b + TABLE_WORDS);
  }

  /** Word index of template entry `e` of `table`. */
  entry(table: number, e: number): number {
    return TPL_BASE + table * TABLE_WORDS + e * T_WORDS;
  }

  /**
   * A worker in `proc` died: its counts go to zero (its connections died with it), its
   * marks on templates go, and a lock it held is released. The caller holds no lock;
   * `services` lists the service slots in use with their template table (or -1) and
   * real server slots. persistconns is recounted from the tables, in case the worker
   * died between changing a template and counting it.
   */
  recover(proc: number, services: readonly { slot: number; table: number; dests?: readonly number[] }[], dests: readonly number[]): void {
    const owner = proc + 1;
    for (const s of services) {
      Atomics.compareExchange(this.w, SVC_BASE + s.slot * SVC_WORDS + S_LOCK, owner, 0);
    }
    for (const d of dests) {
      const b = DEST_BASE + d * DEST_WORDS;
      Atomics.store(this.w, b + D_ACTIVE + proc, 0);
      Atomics.store(this.w, b + D_INACTIVE + proc, 0);
    }
    const word = proc < 32 ? T_MASK : T_MASK + 1;
    const bit = 1 << (proc % 32);
    for (const s of services) {
      if (s.table < 0) continue;
      this.lock(s.slot);
      try {
        const held = new Map<number, number>();
        for (let e = 0; e < TEMPLATE_CAPACITY; e++) {
          const b = this.entry(s.table, e);
          const state = this.w[b + T_STATE];
          if (state === T_EMPTY) continue;
          this.w[b + word] = this.w[b + word]! & ~bit;
          if (state === T_VALID || state === T_INVALID) held.set(this.w[b + T_DEST]!, (held.get(this.w[b + T_DEST]!) ?? 0) + 1);
        }
        for (const d of s.dests ?? []) this.w[DEST_BASE + d * DEST_WORDS + D_PERSIST] = held.get(d) ?? 0;
      } finally {
        this.unlock(s.slot);
      }
    }
  }
}

export const TEMPLATE_FIELDS = { T_STATE, T_GEN, T_KEY, T_DEST, T_MASK, T_EXPIRES } as const;
