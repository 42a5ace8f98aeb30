// The halb_bgp series of /metrics (docs/metrics.md, docs/bgp.md), kept apart from the
// other families: filled from the daemon status's `bgp` section at each scrape, reset
// first so a neighbour or prefix that left the configuration leaves the output too.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { AdminStatus } from './admin-types.js';
import type { BgpSnapshot } from '../bgp/speaker.js';

export function bgpMetrics(registry: Registry): (s: AdminStatus) => void {
  const r = [registry];
  const up = new Gauge({ name: 'halb_bgp_daemon_up', help: 'BGP daemon (BIRD) running and answering on its control socket: 1, else 0.', registers: r });
  const restarts = new Counter({ name: 'halb_bgp_daemon_restarts_total', help: 'Times the BGP daemon halb runs died or could not start.', registers: r });
  const pushErr = new Gauge({ name: 'halb_bgp_push_error', help: '1 while the announcements could not be pushed to the BGP daemon.', registers: r });
  const session = new Gauge({ name: 'halb_bgp_session_established', help: 'BGP session with a neighbour: 1 Established, 0 otherwise.', labelNames: ['neighbor', 'remote_as'], registers: r });
  const announced = new Gauge({ name: 'halb_bgp_prefix_announced', help: 'VIP prefix announced by this director: 1, or 0 withdrawn.', labelNames: ['prefix'], registers: r });
  const changes = new Counter({ name: 'halb_bgp_changes_total', help: 'Announces and withdrawals since start, by kind and reason (quorum, dataplane, stop, config).', labelNames: ['kind', 'reason'], registers: r });
  const all = [up, restarts, pushErr, session, announced, changes];
  return (s) => {
    for (const m of all) m.reset();
    const b = s.daemon.bgp as BgpSnapshot | undefined;
    if (b === undefined) return;
    up.set(b.daemon.state === 'running' ? 1 : 0);
    restarts.inc(b.daemon.restarts);
    pushErr.set(b.pushError !== undefined ? 1 : 0);
    for (const x of b.sessions) session.set({ neighbor: x.neighbor, remote_as: String(x.remoteAs) }, x.bgpState.startsWith('Established') ? 1 : 0);
    for (const p of b.prefixes) announced.set({ prefix: p.prefix }, p.announced ? 1 : 0);
    for (const c of b.changes) changes.inc({ kind: c.kind, reason: c.reason }, c.count);
  };
}
