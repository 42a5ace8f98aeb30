// Cross-block checks of halb's halb_bgp block: every announced VIP must be the address of
// at least one virtual_server (that is what decides whether it is announced), and with
// ECMP every director must pick the same real server for a flow, which only the
// consistent hashes (mh, sh) do.
import type { Diagnostics } from './diagnostics.js';
import type { KeepalivedConfig } from './model/index.js';

export function validateBgp(cfg: KeepalivedConfig, diag: Diagnostics): void {
  const b = cfg.bgp;
  if (b === undefined) return;
  const kept = b.announces.filter((a) => {
    const vss = cfg.virtualServers.filter((vs) => vs.key.kind === 'addr' && vs.key.addr === a.address);
    if (vss.length === 0) {
      diag.error(a.pos, `announce ${a.address}: no virtual_server on this address (its quorum decides the announcement) - ignoring`, 'announce');
      return false;
    }
    for (const vs of vss) {
      if (vs.scheduler !== 'mh' && vs.scheduler !== 'sh') {
        diag.warn(vs.pos, `virtual server ${vs.label} is announced over BGP with lb_algo ${vs.scheduler}: directors behind ECMP pick different real servers for one flow; use mh so a flow moved to another director keeps its server`, 'lb_algo');
      }
    }
    return true;
  });
  b.announces = kept;
  if (kept.length === 0) cfg.bgp = undefined;
}
