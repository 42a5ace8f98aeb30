// How to reach each director's admin API and dashboard: every halb in the lab serves them
// on the default admin address (127.0.0.1:9480) inside its own namespace, so they are
// reached by running the client inside that namespace (nothing listens on the host).
import { DEFAULT_ADMIN_LISTEN } from '../api/admin-listen.js';
import type { Topology } from './topology.js';

export function dashboardLines(t: Topology): string[] {
  const url = `http://${DEFAULT_ADMIN_LISTEN}`;
  const lines = [`dashboards and admin API: each director's halb serves ${url}/ inside its namespace:`];
  for (const d of t.directors) {
    const who = d.software === 'keepalived' ? 'halb -C beside keepalived' : 'halb';
    lines.push(`  ${d.role.padEnd(6)} (${who}): ip netns exec ${d.ns} curl -s ${url}/api/v1/status   (also /metrics)`);
  }
  const first = t.directors[0];
  if (first !== undefined) {
    lines.push(`  in a browser: ip netns exec ${first.ns} chromium --user-data-dir=$(mktemp -d) ${url}/`);
  }
  return lines;
}
