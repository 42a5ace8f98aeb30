// Garbage collection of the lblc/lblcr tables, as ip_vs_lblc_check_expire() and
// ip_vs_lblcr_check_expire() run it from a periodic timer. Schedulers are pure and own
// no timer, so the ticks a timer would have fired since the last pick are replayed
// from req.now when the next pick comes; only lastuse times matter, and those change
// only in pick(), so replaying gives the same table.
//
// Every CHECK_EXPIRE_INTERVAL (60 s): every COUNT_FOR_FULL_EXPIRATION-th tick while the
// table is within max size (i.e. every 30 min), a full check drops entries unused for
// the expiration time (sysctl lblc_expiration/lblcr_expiration, default 24 h). While
// the table holds more than max size entries, each tick instead drops entries unused
// for ENTRY_TIMEOUT (6 min), up to (entries - max) * 4/3 of them, at most max/2.

/** CHECK_EXPIRE_INTERVAL */
export const CHECK_EXPIRE_INTERVAL_MS = 60_000;
/** ENTRY_TIMEOUT */
export const ENTRY_TIMEOUT_MS = 6 * 60_000;
/** DEFAULT_EXPIRATION, the default of net.ipv4.vs.lblc_expiration / lblcr_expiration. */
export const DEFAULT_EXPIRATION_MS = 24 * 60 * 60_000;
/** COUNT_FOR_FULL_EXPIRATION */
const COUNT_FOR_FULL_EXPIRATION = 30;
/** IP_VS_LBLC_TAB_SIZE * 16: the table's max_size. */
export const DEFAULT_MAX_ENTRIES = 1024 * 16;
/** After this many missed ticks (an idle service), replay collapses into one full check. */
const MAX_REPLAYED_TICKS = 2 * COUNT_FOR_FULL_EXPIRATION;

export interface LocalityOptions {
  /** Entries unused this long are dropped by the full check (default 24 h). */
  readonly expirationMs?: number;
  /** Over this many entries, stale ones are dropped every tick (default 16384). */
  readonly maxEntries?: number;
}

export class LocalityGc<E extends { lastuse: number }> {
  readonly expirationMs: number;
  readonly maxEntries: number;
  #nextTick: number | undefined;
  #counter = 1;

  constructor(options: LocalityOptions = {}) {
    this.expirationMs = options.expirationMs ?? DEFAULT_EXPIRATION_MS;
    this.maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
  }

  /** Run every tick due at or before `now`; the first pick arms the timer (init_service). */
  advance(table: Map<string, E>, now: number): void {
    if (this.#nextTick === undefined) {
      this.#nextTick = now + CHECK_EXPIRE_INTERVAL_MS;
      return;
    }
    if (now < this.#nextTick) return;
    const due = Math.floor((now - this.#nextTick) / CHECK_EXPIRE_INTERVAL_MS) + 1;
    if (due > MAX_REPLAYED_TICKS) {
      const last = this.#nextTick + (due - 1) * CHECK_EXPIRE_INTERVAL_MS;
      this.#fullCheck(table, last);
      this.#counter = 1;
      this.#nextTick = last + CHECK_EXPIRE_INTERVAL_MS;
      return;
    }
    for (let k = 0; k < due; k++) {
      this.#checkExpire(table, this.#nextTick);
      this.#nextTick += CHECK_EXPIRE_INTERVAL_MS;
    }
  }

  /** The time of the next collection tick, or undefined before the first pick. */
  get nextTick(): number | undefined {
    return this.#nextTick;
  }

  #checkExpire(table: Map<string, E>, now: number): void {
    if (this.#counter % COUNT_FOR_FULL_EXPIRATION === 0) {
      this.#fullCheck(table, now);
      this.#counter = 1;
      return;
    }
    if (table.size <= this.maxEntries) {
      this.#counter++;
      return;
    }
    let goal = Math.min(Math.floor(((table.size - this.maxEntries) * 4) / 3), Math.floor(this.maxEntries / 2));
    for (const [key, en] of table) {
      if (now < en.lastuse + ENTRY_TIMEOUT_MS) continue;
      table.delete(key);
      if (--goal <= 0) break;
    }
  }

  #fullCheck(table: Map<string, E>, now: number): void {
    for (const [key, en] of table) if (now >= en.lastuse + this.expirationMs) table.delete(key);
  }
}
