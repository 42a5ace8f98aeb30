// The halb_bgp series of /metrics (docs/metrics.md, docs/bgp.md), kept apart from the
// other families: filled from the daemon status's `bgp` section at each scrape; without
// halb_bgp in the configuration none of them is printed.
import type { AdminStatus } from './admin-types.js';
import type { BgpSnapshot } from '../bgp/speaker.js';
import type { Families } from './metric-families.js';

export function bgpMetrics(f: Families): (s: AdminStatus) => void {
  const up = f.gauge('halb_bgp_daemon_up', 'BGP daemon (BIRD) running and answering on its control socket: 1, else 0.');
  const restarts = f.counter('halb_bgp_daemon_restarts_total', 'Times the BGP daemon halb runs died or could not start.');
  const pushErr = f.gauge('halb_bgp_push_error', '1 while the announcements could not be pushed to the BGP daemon.');
  const session = f.gauge('halb_bgp_session_established', 'BGP session with a neighbour: 1 Established, 0 otherwise.', ['neighbor', 'remote_as']);
  const announced = f.gauge('halb_bgp_prefix_announced', 'VIP prefix announced by this director: 1, or 0 withdrawn.', ['prefix']);
  const changes = f.counter('halb_bgp_changes_total', 'Announces and withdrawals since start, by kind and reason (quorum, dataplane, stop, config).', ['kind', 'reason']);
  return (s) => {
    const b = s.daemon.bgp as BgpSnapshot | undefined;
    if (b === undefined) return;
    up({}, b.daemon.state === 'running' ? 1 : 0);
    restarts({}, b.daemon.restarts);
    pushErr({}, b.pushError !== undefined ? 1 : 0);
    for (const x of b.sessions) session({ neighbor: x.neighbor, remote_as: String(x.remoteAs) }, x.bgpState.startsWith('Established') ? 1 : 0);
    for (const p of b.prefixes) announced({ prefix: p.prefix }, p.announced ? 1 : 0);
    for (const c of b.changes) changes({ kind: c.kind, reason: c.reason }, c.count);
  };
}
