// Which slots of the shared segment (shared-state.ts) each shared service and real
// server uses. The daemon decides (SlotAllocator) and sends the layout to every worker
// with each apply; slots are only ever taken and given back, never moved, so a reload
// (services or real servers added, removed, reweighted) leaves every live connection's
// counts where they are. A slot is given back only once nothing counts in it any more
// in any process, and only between applies, when every worker runs the same config.
import { poolOf, serviceKey, type VirtualServiceSpec } from '../model.js';
import { DEST_SLOTS, SERVICE_SLOTS, TEMPLATE_TABLES, type SharedState } from './shared-state.js';

export interface ServiceLayout {
  readonly slot: number;
  /** Template table, or -1 for a service without persistence. */
  readonly table: number;
  /** Real server key -> dest slot. */
  readonly dests: Readonly<Record<string, number>>;
}

/** Service key -> its slots; JSON, so it travels to workers over IPC. */
export type Layout = Readonly<Record<string, ServiceLayout>>;

/** Schedulers whose tables are not shared yet: their services stay in the daemon. */
const UNSHARED_SCHEDULERS: ReadonlySet<string> = new Set(['lblc', 'lblcr']);

interface SvcSlots {
  slot: number;
  table: number;
  readonly dests: Map<string, number>;
}

export class SlotAllocator {
  readonly #st: SharedState;
  readonly #svcs = new Map<string, SvcSlots>();
  /** Keys last handed out in a layout (the rest may be given back once idle). */
  #current = new Map<string, Set<string>>();
  /** Service keys that found no room: they stay in the daemon while they exist. */
  readonly #refused = new Set<string>();
  readonly #freeSvc: number[] = [];
  readonly #freeDest: number[] = [];
  readonly #freeTable: number[] = [];

  constructor(st: SharedState) {
    this.#st = st;
    for (let i = SERVICE_SLOTS - 1; i >= 0; i--) this.#freeSvc.push(i);
    for (let i = DEST_SLOTS - 1; i >= 0; i--) this.#freeDest.push(i);
    for (let i = TEMPLATE_TABLES - 1; i >= 0; i--) this.#freeTable.push(i);
  }

  /** The layout for `services` (the TCP ones workers may serve), taking slots as needed. */
  assign(services: readonly VirtualServiceSpec[]): Layout {
    const out: Record<string, ServiceLayout> = {};
    const current = new Map<string, Set<string>>();
    const wanted = new Set(services.map(serviceKey));
    for (const k of [...this.#refused]) if (!wanted.has(k)) this.#refused.delete(k);
    for (const spec of services) {
      const key = serviceKey(spec);
      if (spec.protocol !== 'TCP' || UNSHARED_SCHEDULERS.has(spec.scheduler) || this.#refused.has(key)) continue;
      const s = this.#take(key, spec);
      if (!s) {
        this.#refused.add(key);
        continue;
      }
      current.set(key, new Set(s.dests.keys()));
      out[key] = { slot: s.slot, table: s.table, dests: Object.fromEntries(s.dests) };
    }
    this.#current = current;
    return out;
  }

  /** Give back the slots of real servers and services gone from the layout and idle everywhere. */
  collect(): void {
    for (const [key, s] of this.#svcs) {
      const live = this.#current.get(key);
      for (const [id, slot] of s.dests) {
        if (live?.has(id) || !this.#st.destIdle(slot)) continue;
        s.dests.delete(id);
        this.#freeDest.push(slot);
      }
      if (live || s.dests.size > 0) continue;
      this.#svcs.delete(key);
      this.#freeSvc.push(s.slot);
      if (s.table >= 0) this.#freeTable.push(s.table);
    }
  }

  /** Service slots in use with their tables and real server slots, and every dest slot in use (for SharedState.recover). */
  inUse(): { services: { slot: number; table: number; dests: number[] }[]; dests: number[] } {
    const services: { slot: number; table: number; dests: number[] }[] = [];
    const dests: number[] = [];
    for (const s of this.#svcs.values()) {
      services.push({ slot: s.slot, table: s.table, dests: [...s.dests.values()] });
      dests.push(...s.dests.values());
    }
    return { services, dests };
  }

  #take(key: string, spec: VirtualServiceSpec): SvcSlots | undefined {
    let s = this.#svcs.get(key);
    const need = poolOf(spec).map((e) => e.key).filter((k) => !s?.dests.has(k));
    const newTable = spec.persistence !== undefined && (s === undefined || s.table < 0);
    if ((s ? 0 : 1) > this.#freeSvc.length || need.length > this.#freeDest.length || (newTable && this.#freeTable.length === 0)) {
      return s;
    }
    if (!s) {
      const slot = this.#freeSvc.pop()!;
      this.#st.resetService(slot);
      s = { slot, table: -1, dests: new Map() };
      this.#svcs.set(key, s);
    }
    if (newTable) {
      s.table = this.#freeTable.pop()!;
      this.#st.resetTable(s.table);
    }
    for (const k of need) {
      const slot = this.#freeDest.pop()!;
      this.#st.resetDest(slot);
      s.dests.set(k, slot);
    }
    return s;
  }
}
