// Rendering the engine's live state as the engine-neutral snapshot ipvsadm's listings
// are printed from. Pure over the runtime objects; the engine supplies rates.

import type { HalbError } from '../../core/errors.js';
import type { ConnectionSnapshot, ListenerState, RealServerSnapshot, ServiceSnapshot } from '../dataplane.js';
import { persistencePrefix } from '../model.js';
import { statsSnapshot, type Rates } from '../stats.js';
import type { RealServerState } from './real-server.js';
import type { ServiceRuntime } from './service.js';

export interface ListenerStatus {
  readonly state: ListenerState;
  readonly error?: HalbError;
}

export function realServerSnapshot(d: RealServerState, rates: Rates): RealServerSnapshot {
  return {
    key: d.id,
    address: d.address,
    port: d.port,
    weight: d.weight,
    forward: 'Masq',
    // This process's own share: a cluster's snapshot is the sum of its processes'.
    activeConns: d.ownActive,
    inactiveConns: d.ownInactive,
    persistConns: d.reportedPersistConns,
    overloaded: d.overloaded,
    draining: !d.inPool,
    sorry: d.sorry,
    stats: statsSnapshot(d.counters, rates),
  };
}

export function serviceSnapshot(svc: ServiceRuntime, listener: ListenerStatus, rates: (o: object) => Rates): ServiceSnapshot {
  const spec = svc.spec;
  // Pool members first in configuration order, then draining ones.
  const dests = [...svc.pool, ...[...svc.dests.values()].filter((d) => !d.inPool)];
  return {
    key: svc.key,
    protocol: svc.protocol,
    address: svc.address,
    port: svc.port,
    scheduler: spec.scheduler,
    schedulerFlags: { ...spec.schedulerFlags },
    ...(spec.persistence ? { persistence: { timeoutMs: spec.persistence.timeoutMs, granularity: persistencePrefix(spec) } } : {}),
    listener: listener.state,
    ...(listener.error ? { listenError: listener.error.message } : {}),
    quorumUp: spec.quorumUp,
    sorryActive: svc.sorryActive,
    stats: statsSnapshot(svc.counters, rates(svc)),
    realServers: dests.map((d) => realServerSnapshot(d, rates(d))),
  };
}

/** Persistence templates as ipvsadm -Lnc lists them: state NONE, client port 0. */
export function templateSnapshots(svc: ServiceRuntime, now: number): ConnectionSnapshot[] {
  const out: ConnectionSnapshot[] = [];
  if (!svc.persistence) return out;
  for (const t of svc.persistence.entries()) {
    out.push({
      protocol: svc.protocol,
      state: 'NONE',
      expiresInMs: Math.max(0, t.expiresAt - now),
      clientAddress: t.key,
      clientPort: 0,
      virtual: svc.key.slice(4),
      destination: t.dest.id,
    });
  }
  return out;
}
