// `halb lab drill reload-vrrp`: VRRP edits reloaded under client load, first on the
// master, then on the backup, each step followed by a pause in which the load goes on:
//   add-vip / remove-vip   a second address in VI_1's virtual_ipaddress (both directors
//                          are edited, the drilled one first: VRRP wants the same
//                          address list on both sides)
//   priority               the drilled director's priority moves by 5, without crossing
//                          the other's, and back
//   track-script           a track_script (/bin/true, weight 0: sync groups ignore weights) added, then removed
//   second-instance        another vrrp_instance (own VRID and address) added, then removed
//   garp                   garp_master_repeat / garp_master_delay / garp_master_refresh changed
// After each step a note gives the step's failed requests and VI_1 transitions; the
// drill's checks want none of either (docs/vrrp.md "Reload"). The edits are made on the
// text of the lab's keepalived.conf (vrrpEdit, pure), so the lab's own writer stays as is.
import { HalbError } from '../core/errors.js';
import { writeFileSync } from 'node:fs';
import { controlRequest } from '../api/control-client.js';
import { ensureBaseline } from './baseline.js';
import { directorConfig } from './config-writer.js';
import type { LoadRun, Observer } from './observe.js';
import type { MarkKind } from './report-types.js';
import { directorFiles, type LabState } from './state.js';
import type { Director } from './topology.js';

export interface VrrpEdit {
  readonly extraVip?: string;
  readonly priorityDelta?: number;
  readonly trackScript?: boolean;
  readonly secondInstance?: { readonly vrid: number; readonly vip: string };
  readonly garp?: boolean;
}

/** `conf` (a lab director's keepalived.conf) with the edit applied to its VI_1 block. */
export function vrrpEdit(conf: string, e: VrrpEdit): string {
  const start = conf.indexOf('vrrp_instance VI_1 {');
  if (start < 0) throw new HalbError('HALB_ERR_CONFIG', 'no vrrp_instance VI_1 in the lab configuration');
  const end = conf.indexOf('\n}', start) + 2;
  let block = conf.slice(start, end);
  if (e.priorityDelta !== undefined) block = block.replace(/priority (\d+)/, (_m, p: string) => `priority ${Number(p) + (e.priorityDelta ?? 0)}`);
  if (e.extraVip !== undefined) block = block.replace(/virtual_ipaddress \{\n(\s+)(\S+)\n/, (_m, sp: string, v: string) => `virtual_ipaddress {\n${sp}${v}\n${sp}${e.extraVip}\n`);
  const extra: string[] = [];
  if (e.trackScript === true) extra.push('    track_script {', '        chk_lab_true', '    }');
  if (e.garp === true) extra.push('    garp_master_repeat 2', '    garp_master_delay 1', '    garp_master_refresh 30');
  if (extra.length > 0) block = block.replace(/\n}$/, `\n${extra.join('\n')}\n}`);
  const before = e.trackScript === true ? 'vrrp_script chk_lab_true {\n    script "/bin/true"\n    interval 1\n    weight 0\n}\n\n' : '';
  const after = e.secondInstance === undefined ? '' : [
    '', '', 'vrrp_instance VI_RELOAD {', '    state BACKUP', '    interface' + /\n\s+interface (\S+)/.exec(block)![0].replace(/^\n\s+interface/, ''),
    `    virtual_router_id ${e.secondInstance.vrid}`, '    priority 100', /\n\s+advert_int \S+/.exec(block)![0].replace(/^\n/, ''),
    '    virtual_ipaddress {', `        ${e.secondInstance.vip}`, '    }', '}',
  ].join('\n');
  // A script needs enable_script_security, or the new file has an error the running one
  // had not, and the daemon refuses the reload (as keepalived's config check would).
  const head = e.trackScript === true ? conf.slice(0, start).replace(/global_defs \{\n/, 'global_defs {\n   script_user root\n   enable_script_security\n') : conf.slice(0, start);
  return `${head}${before}${block}${after}${conf.slice(end)}`;
}

/** What the drill uses of drills.ts's context (structurally the same). */
interface Ctx {
  readonly state: LabState;
  readonly obs: Observer;
  readonly load: LoadRun;
  actionAt: number | undefined;
  mark(kind: MarkKind, text: string, director?: string): number;
}

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function reloadOne(state: LabState, d: Director, edit: VrrpEdit): Promise<string> {
  const f = directorFiles(state.dir, d.role);
  writeFileSync(f.conf, vrrpEdit(directorConfig(state.topology, d, { weight: state.weight }), edit));
  const r = await controlRequest(f.socket, { cmd: 'reload' }, 30_000);
  if (!r.ok) throw new HalbError('HALB_ERR_SYS', `${d.role}: reload failed: ${r.error}`);
  const res = r.result as { applied: boolean; summary: string };
  if (!res.applied) throw new HalbError('HALB_ERR_CONFIG', `${d.role}: reload refused: ${res.summary}`);
  return `${d.role}: ${res.summary}`;
}

interface Step {
  readonly name: string;
  /** The edit of the drilled director, and of the other one (VIP steps). */
  readonly mine: VrrpEdit;
  readonly others?: VrrpEdit;
}

function steps(t: LabState['topology'], drilled: Director): Step[] {
  const vip2 = '192.0.2.101';
  const up = drilled === t.directors[0] ? 5 : -5;
  return [
    { name: 'add a VIP', mine: { extraVip: vip2 }, others: { extraVip: vip2 } },
    { name: 'remove it', mine: {}, others: {} },
    { name: `priority ${up > 0 ? '+' : ''}${up}`, mine: { priorityDelta: up } },
    { name: 'priority back', mine: {} },
    { name: 'add a track_script', mine: { trackScript: true } },
    { name: 'remove it', mine: {} },
    { name: 'add a second instance', mine: { secondInstance: { vrid: 151, vip: '192.0.2.102' } } },
    { name: 'remove it', mine: {} },
    { name: 'change the garp settings', mine: { garp: true } },
    { name: 'garp settings back', mine: {} },
  ];
}

async function run(c: Ctx): Promise<void> {
  const t = c.state.topology;
  const live = t.directors.filter((d) => !c.state.poweredOff.includes(d.role));
  for (const drilled of live.slice(0, 2)) {
    for (const s of steps(t, drilled)) {
      const at = c.mark('action', `${drilled.role}: ${s.name}; halb ctl reload`, drilled.role);
      c.actionAt ??= at;
      c.mark('note', await reloadOne(c.state, drilled, s.mine));
      for (const o of live) if (o !== drilled && s.others !== undefined) c.mark('note', await reloadOne(c.state, o, s.others));
      await pause(1500);
      const failed = c.load.samples.filter((x) => x.s >= at && !x.ok).length;
      const moved = c.obs.logEvents.filter((e) => e.kind === 'vrrp' && e.at >= at && e.text.startsWith('(VI_1)')).length;
      c.mark('note', `${drilled.role}: ${s.name}: ${failed} failed request(s), ${moved} VI_1 transition(s)`);
    }
  }
}

export const reloadVrrp = {
  async prepare(state: LabState, o: { readonly log: (line: string) => void }): Promise<void> {
    const ka = state.topology.directors.find((d) => d.software === 'keepalived');
    if (ka !== undefined) throw new HalbError('HALB_ERR_USAGE', `reload-vrrp drills halb's VRRP reload; ${ka.role} runs keepalived`);
    await ensureBaseline(state, o.log);
  },
  run,
};
