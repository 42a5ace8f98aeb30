// `halb ctl bgp`: the halb_bgp section of the daemon status as a short table (pure).
import type { BgpSnapshot } from '../bgp/speaker.js';

export function formatBgp(b: BgpSnapshot | undefined): string {
  if (b === undefined) return 'BGP: not configured (no halb_bgp block)\n';
  const d = b.daemon;
  const lines = [
    `BGP AS ${b.localAs} router id ${b.routerId}; daemon ${b.mode === 'bird' ? 'bird (run by halb)' : 'bird (attached)'} ${d.state}${d.pid !== undefined ? ` pid ${d.pid}` : ''}${d.restarts > 0 ? `, ${d.restarts} restart(s)` : ''}`,
    ...(d.error !== undefined ? [`  daemon error: ${d.error}`] : []),
    ...(b.pushError !== undefined ? [`  push error: ${b.pushError}`] : []),
    'Neighbor         AS          State  BGP state',
    ...b.sessions.map((s) => `${s.neighbor.padEnd(16)} ${String(s.remoteAs).padEnd(11)} ${s.state.padEnd(6)} ${s.bgpState}`),
    'Prefix               Announced  Reason',
    ...b.prefixes.map((p) => `${p.prefix.padEnd(20)} ${(p.announced ? 'yes' : 'no').padEnd(10)} ${p.reason}`),
  ];
  return `${lines.join('\n')}\n`;
}
