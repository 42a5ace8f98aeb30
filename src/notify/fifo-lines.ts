// keepalived's notify FIFOs: which FIFOs a config opens, and the lines written into them
// (vrrp_notify.c notify_fifo, ipwrapper.c notify_fifo_vs / notify_fifo_rs). A reader
// script gets the FIFO's path as its last argument and reads one event per line:
//   INSTANCE "VI_1" MASTER 100      GROUP "VG_1" BACKUP 0
//   VS [192.0.2.1]:tcp:80 UP        RS [192.0.2.11]:tcp:80 [192.0.2.1]:tcp:80 DOWN
import type { GlobalDefs, NotifyFifo } from '../config/model/global.js';
import type { ScriptSpec } from '../config/readers.js';

/** The VRRP states and events keepalived writes (MASTER_RX_LOWER_PRI, *_PRIORITY are events). */
export type FifoVrrpState =
  | 'MASTER' | 'BACKUP' | 'FAULT' | 'STOP' | 'DELETED'
  | 'MASTER_RX_LOWER_PRI' | 'MASTER_PRIORITY' | 'BACKUP_PRIORITY';

export function instanceLine(instance: string, state: FifoVrrpState, priority: number): string {
  return `INSTANCE "${instance}" ${state} ${priority}\n`;
}

/** Sync groups have no priority: keepalived writes 0. */
export function groupLine(group: string, state: FifoVrrpState): string {
  return `GROUP "${group}" ${state} 0\n`;
}

/** A virtual server's quorum gained (UP) or lost (DOWN); `vs` is keepalived's FMT_VS label. */
export function virtualServerLine(vs: string, up: boolean): string {
  return `VS ${vs} ${up ? 'UP' : 'DOWN'}\n`;
}

/** A real server's checkers passed (UP) or failed (DOWN); labels as FMT_RS and FMT_VS. */
export function realServerLine(rs: string, vs: string, up: boolean): string {
  return `RS ${rs} ${vs} ${up ? 'UP' : 'DOWN'}\n`;
}

/** One FIFO halb opens, the events it carries and the reader script it starts. */
export interface FifoPlan {
  readonly path: string;
  /** Keyword for messages: notify_fifo, vrrp_notify_fifo or lvs_notify_fifo. */
  readonly keyword: string;
  readonly vrrp: boolean;
  readonly lvs: boolean;
  readonly script?: ScriptSpec;
  readonly owner?: { readonly uid: number; readonly gid: number };
}

export interface FifoPlanResult {
  readonly fifos: readonly FifoPlan[];
  /** keepalived's messages for the FIFOs it ignores (global_data.c). */
  readonly notes: readonly string[];
}

/**
 * The FIFOs one halb opens. keepalived's VRRP and checker processes each open the global
 * FIFO and each start its script; halb is one process, so the global FIFO is opened once,
 * carries both sides and starts one reader. A side FIFO named like the global one is
 * ignored; the VRRP and LVS FIFOs may be one FIFO, whose reader is the VRRP script.
 */
export function planFifos(g: GlobalDefs, sides: { readonly vrrp: boolean; readonly lvs: boolean }): FifoPlanResult {
  const fifos: FifoPlan[] = [];
  const notes: string[] = [];
  const plan = (f: NotifyFifo, keyword: string, vrrp: boolean, lvs: boolean, script = f.script): FifoPlan | undefined =>
    f.path === undefined || (!vrrp && !lvs) ? undefined : {
      path: f.path, keyword, vrrp, lvs,
      ...(script !== undefined ? { script } : {}),
      ...(f.owner !== undefined ? { owner: f.owner } : {}),
    };
  const global = plan(g.notifyFifo, 'notify_fifo', sides.vrrp, sides.lvs);
  if (global !== undefined) fifos.push(global);
  let vrrp = sides.vrrp ? g.vrrpNotifyFifo : {};
  let lvs = sides.lvs ? g.lvsNotifyFifo : {};
  if (vrrp.path !== undefined && vrrp.path === g.notifyFifo.path) {
    notes.push(`notify FIFO ${vrrp.path} has been specified for global and vrrp FIFO - ignoring vrrp FIFO`);
    vrrp = {};
  }
  if (lvs.path !== undefined && lvs.path === g.notifyFifo.path) {
    notes.push(`notify FIFO ${lvs.path} has been specified for global and LVS FIFO - ignoring LVS FIFO`);
    lvs = {};
  }
  if (vrrp.path !== undefined && vrrp.path === lvs.path) {
    if (vrrp.script !== undefined && lvs.script !== undefined) {
      notes.push('LVS notify FIFO and vrrp FIFO are the same both with scripts - ignoring LVS FIFO script');
    }
    const both = plan(vrrp, 'vrrp_notify_fifo', true, true, vrrp.script ?? lvs.script);
    if (both !== undefined) fifos.push(both);
    return { fifos, notes };
  }
  for (const p of [plan(vrrp, 'vrrp_notify_fifo', true, false), plan(lvs, 'lvs_notify_fifo', false, true)]) {
    if (p !== undefined) fifos.push(p);
  }
  return { fifos, notes };
}
