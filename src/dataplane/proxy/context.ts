// What every connection of one engine shares: the coarse tick time, the connection
// table, retry policy and the backend-event fan-out. Connections hold one reference to
// it instead of closures, so per-connection state stays a single object.

import type { Clock } from '../../core/clock.js';
import type { BackendEvent, BackendEventKind } from '../dataplane.js';
import { ConnTable } from './conn-table.js';

export type BackendListener = (ev: BackendEvent) => void;

export class ProxyContext {
  /** Clock time at the last tick; the hot path stamps connections with it. */
  now: number;
  readonly table = new ConnTable();
  readonly clock: Clock;
  /** Connect attempts per client connection, on distinct real servers. */
  readonly connectAttempts: number;
  readonly random: () => number;
  readonly listeners: BackendListener[] = [];

  constructor(opts: { clock: Clock; connectAttempts: number; random: () => number }) {
    this.clock = opts.clock;
    this.now = opts.clock.now();
    this.connectAttempts = opts.connectAttempts;
    this.random = opts.random;
  }

  /** Report a backend outcome; allocates nothing unless someone listens. */
  emit(kind: BackendEventKind, service: string, realServer: string, code?: string, retried?: boolean): void {
    if (this.listeners.length === 0) return;
    const ev: BackendEvent = { kind, service, realServer, at: this.clock.now(), ...(code ? { code } : {}), ...(retried ? { retried } : {}) };
    for (const cb of [...this.listeners]) {
      try {
        cb(ev);
      } catch (err) {
        // A subscriber's bug must not break the dataplane: surface it as a process warning.
        process.emitWarning(err instanceof Error ? err : String(err), 'HalbBackendListenerWarning');
      }
    }
  }
}
