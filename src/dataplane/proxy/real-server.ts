// One destination of a virtual service, with the connection accounting IPVS keeps in
// struct ip_vs_dest. The object itself is the DestView the scheduler reads, so picking
// a server allocates nothing; the engine mutates the counters as connections change
// state.

import type { DestView } from '../sched/types.js';
import { Counters } from '../stats.js';
import type { PoolEntry } from '../model.js';
import type { PersistDest } from './persistence.js';

export class RealServerState implements DestView, PersistDest {
  readonly id: string;
  readonly address: string;
  readonly port: number;
  weight = 0;
  activeConns = 0;
  inactiveConns = 0;
  persistConns = 0;
  overloaded = false;
  upperThreshold = 0;
  lowerThreshold = 0;
  /** In the pool (IPVS IP_VS_DEST_F_AVAILABLE); false while draining after removal. */
  inPool = false;
  sorry = false;
  readonly counters = new Counters();

  constructor(entry: PoolEntry) {
    this.id = entry.key;
    this.address = entry.address;
    this.port = entry.port;
    this.update(entry);
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
    this.inactiveConns++;
    this.counters.conns++;
    if (this.upperThreshold !== 0 && this.totalConns >= this.upperThreshold) this.overloaded = true;
  }

  /** The connection ended (ip_vs_unbind_dest), and the hysteresis that lifts the overload. */
  unbind(wasActive: boolean): void {
    if (wasActive) this.activeConns--;
    else this.inactiveConns--;
    if (this.lowerThreshold !== 0) {
      if (this.totalConns < this.lowerThreshold) this.overloaded = false;
    } else if (this.upperThreshold !== 0) {
      if (this.totalConns * 4 < this.upperThreshold * 3) this.overloaded = false;
    } else {
      this.overloaded = false;
    }
  }

  toActive(): void {
    this.inactiveConns--;
    this.activeConns++;
  }
  toInactive(): void {
    this.activeConns--;
    this.inactiveConns++;
  }

  /** Nothing references it any more: a removed server can be forgotten. */
  get idle(): boolean {
    return this.activeConns === 0 && this.inactiveConns === 0 && this.persistConns === 0;
  }
}
