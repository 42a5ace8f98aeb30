// One destination of a virtual service, with the connection accounting IPVS keeps in
// struct ip_vs_dest. The object itself is the DestView the scheduler reads, so picking
// a server allocates nothing; the engine mutates the counters as connections change
// state.

import type { DestView } from '../sched/types.js';
import { Counters } from '../stats.js';
import type { PoolEntry } from '../model.js';
import type { PersistDest } from './persistence.js';
import type { SharedState } from './shared-state.js';

export class RealServerState implements DestView, PersistDest {
  readonly id: string;
  readonly address: string;
  readonly port: number;
  weight = 0;
  upperThreshold = 0;
  lowerThreshold = 0;
  /** In the pool (IPVS IP_VS_DEST_F_AVAILABLE); false while draining after removal. */
  inPool = false;
  sorry = false;
  readonly counters = new Counters();
  /** This process's connections (what its snapshot reports; the cluster sums them). */
  ownActive = 0;
  ownInactive = 0;
  #persist = 0;
  #overloaded = false;
  /** Set when every process of the proxy shares this destination's counts (shared-state.ts). */
  #shared: SharedState | null = null;
  #slot = -1;

  constructor(entry: PoolEntry) {
    this.id = entry.key;
    this.address = entry.address;
    this.port = entry.port;
    this.update(entry);
  }

  /** Count in `slot` of the shared segment from now on (before any connection). */
  share(st: SharedState, slot: number): void {
    this.#shared = st;
    this.#slot = slot;
  }

  /** The shared slot, or -1 when this process alone counts. */
  get slot(): number {
    return this.#slot;
  }

  /** IPVS activeconns: every process's established connections when shared. */
  get activeConns(): number {
    return this.#shared ? this.#shared.active(this.#slot) : this.ownActive;
  }
  get inactiveConns(): number {
    return this.#shared ? this.#shared.inactive(this.#slot) : this.ownInactive;
  }
  get persistConns(): number {
    return this.#shared ? this.#shared.persistConns(this.#slot) : this.#persist;
  }
  set persistConns(n: number) {
    if (this.#shared) this.#shared.addPersist(this.#slot, n - this.#shared.persistConns(this.#slot));
    else this.#persist = n;
  }
  get overloaded(): boolean {
    return this.#shared ? this.#shared.overloaded(this.#slot) : this.#overloaded;
  }
  set overloaded(on: boolean) {
    if (this.#shared) this.#shared.setOverloaded(this.#slot, on);
    else this.#overloaded = on;
  }

  /** The persistconns this process reports: the daemon reports the shared count, workers none (the cluster sums reports). */
  get reportedPersistConns(): number {
    return this.#shared ? (this.#shared.proc === 0 ? this.#shared.persistConns(this.#slot) : 0) : this.#persist;
  }

  /** Enter (or stay in) the pool with the entry's weight and thresholds (__ip_vs_update_dest). */
  update(entry: PoolEntry): void {
    this.weight = entry.weight;
    this.upperThreshold = entry.upperThreshold;
    this.lowerThreshold = entry.lowerThreshold;
    this.sorry = entry.sorry;
    this.inPool = true;
    // A raised or removed upper threshold lifts the overload at once, as IPVS does on edit.
    if (this.upperThreshold === 0 || this.upperThreshold > this.totalConns) this.overloaded = false;
  }

  get totalConns(): number {
    return this.activeConns + this.inactiveConns;
  }

  /** A new connection to this server (ip_vs_bind_dest): counted inactive until established. */
  bind(): void {
    this.#add(0, 1);
    this.counters.conns++;
    if (this.upperThreshold !== 0 && this.totalConns >= this.upperThreshold) this.overloaded = true;
  }

  /** The connection ended (ip_vs_unbind_dest), and the hysteresis that lifts the overload. */
  unbind(wasActive: boolean): void {
    if (wasActive) this.#add(-1, 0);
    else this.#add(0, -1);
    if (this.lowerThreshold !== 0) {
      if (this.totalConns < this.lowerThreshold) this.overloaded = false;
    } else if (this.upperThreshold !== 0) {
      if (this.totalConns * 4 < this.upperThreshold * 3) this.overloaded = false;
    } else {
      this.overloaded = false;
    }
  }

  toActive(): void {
    this.#add(1, -1);
  }
  toInactive(): void {
    this.#add(-1, 1);
  }

  /** Nothing in this process references it any more: a removed server can be forgotten here. */
  get idle(): boolean {
    return this.ownActive === 0 && this.ownInactive === 0 && (this.#shared ? true : this.#persist === 0);
  }

  #add(active: number, inactive: number): void {
    this.ownActive += active;
    this.ownInactive += inactive;
    this.#shared?.addOwn(this.#slot, active, inactive);
  }
}
