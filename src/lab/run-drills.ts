// `halb lab drill NAME|all`: run drills one after another under the lab's lock, measure
// each, and leave the lab at rest afterwards so `status` shows a healthy cluster.
import { ensureBaseline } from './baseline.js';
import { runDrill, type DrillOptions } from './drills.js';
import { measure } from './measure.js';
import { ALL_ORDER, DRILLS, type DrillName, type DrillResult, type LabReport } from './report-types.js';
import { lockLab, type LabState } from './state.js';

export function parseDrillNames(arg: string): DrillName[] {
  if (arg === 'all') return [...ALL_ORDER];
  const names = arg.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const bad = names.filter((n) => !(DRILLS as readonly string[]).includes(n));
  if (bad.length > 0 || names.length === 0) throw new RangeError(`unknown drill ${bad.join(', ') || '(none)'}: use ${DRILLS.join('|')}|all`);
  return names as DrillName[];
}

export function reportHeader(state: LabState, o: DrillOptions): LabReport['lab'] {
  const t = state.topology;
  return {
    name: state.name === '' ? 'default' : state.name,
    vip: t.vip,
    mode: t.options.mode,
    dataplane: t.options.dataplane,
    vrrpVersion: t.options.vrrpVersion,
    advertIntS: t.options.advertInt,
    directors: t.directors.map((d) => ({ role: d.role, software: d.software, priority: d.priority, address: d.addresses[0]?.split('/')[0] ?? '' })),
    realServers: t.realServers.map((r) => ({ role: r.role, address: r.address })),
    clientRate: o.rate,
    requestTimeoutMs: o.timeoutMs,
  };
}

export async function runDrills(state: LabState, names: readonly DrillName[], o: DrillOptions): Promise<LabReport> {
  const release = lockLab(state.dir);
  const drills: DrillResult[] = [];
  try {
    for (const name of names) {
      o.log(`drill ${name}: running`);
      const r = measure(await runDrill(state, name, o));
      drills.push(r);
      const failed = r.checks.filter((c) => !c.ok);
      o.log(`drill ${name}: ${failed.length === 0 ? 'ok' : `FAILED (${failed.map((c) => `${c.name}: ${c.detail}`).join('; ')})`}; ` +
        `window ${r.outage.windowMs} ms, ${r.requests.failed}/${r.requests.sent} failed`);
    }
    try {
      await ensureBaseline(state, o.log);
    } catch (e) {
      o.log(`the lab did not come back to rest after the drills: ${e instanceof Error ? e.message : String(e)}`);
    }
  } finally {
    release();
  }
  return { lab: reportHeader(state, o), generatedAt: new Date().toISOString(), drills };
}
