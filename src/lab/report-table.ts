// The drill report as a table: aligned text for the terminal, markdown for a README.
// One row per drill, the same cells in both (pure).
import { longLivedCell } from './long-lived.js';
import type { DrillResult, HolderSegment, LabReport } from './report-types.js';

const sec = (ms: number): string => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;

/** "dir1 → none @1.02 s → dir2 @4.31 s": who held the VIP, and from when. */
export function holdersCell(segs: readonly HolderSegment[]): string {
  return segs.map((s, i) => {
    const who = s.holders.length === 0 ? 'none' : s.holders.join('+');
    return i === 0 ? who : `${who} @${sec(s.fromMs)}`;
  }).join(' → ');
}

/** What the drill measured beyond the outage: takeover, detection, recovery. */
export function detailCell(r: DrillResult): string {
  const parts: string[] = [];
  if (r.vip.takeoverMs !== undefined) {
    const by = r.drill === 'partition' ? 'second master after' : 'takeover after';
    parts.push(`${by} ${sec(r.vip.takeoverMs)}${r.masterDownIntervalMs !== undefined ? ` (Master_Down_Interval ${sec(r.masterDownIntervalMs)})` : ''}`);
  }
  const d = r.detection;
  if (d !== undefined && r.drill === 'rs-down') {
    const applied = d.appliedMs !== undefined ? `, out of the pool after ${d.appliedMs} ms` : '';
    parts.push(`${d.realServer} seen dead by ${d.director} after ${d.ms} ms (${d.how})${applied}; ${r.requests.failedAfterDetection ?? 0} failed after`);
  }
  if (d !== undefined && r.drill === 'rs-up') {
    parts.push(`${d.realServer} back on ${d.director} after ${sec(d.ms)}${d.firstServedMs !== undefined ? `, serving after ${sec(d.firstServedMs)}` : ''}`);
  }
  if (r.longLived !== undefined) parts.push(longLivedCell(r.longLived));
  const errs = Object.entries(r.requests.errors).map(([k, v]) => `${k} ×${v}`).join(', ');
  if (errs !== '') parts.push(`errors: ${errs}`);
  return parts.join('; ') || '—';
}

export interface Row {
  readonly drill: string;
  readonly result: string;
  readonly window: string;
  readonly failed: string;
  readonly holders: string;
  readonly detail: string;
}

export function rows(report: LabReport): Row[] {
  return report.drills.map((r) => {
    const bad = r.checks.filter((c) => !c.ok);
    return {
      drill: r.drill,
      result: bad.length === 0 ? 'ok' : `FAILED: ${bad.map((c) => c.detail).join('; ')}`,
      window: r.outage.windowMs === 0 ? '0' : r.outage.ongoing ? `≥ ${r.outage.windowMs} ms (not over)` : `${r.outage.windowMs} ms`,
      failed: `${r.requests.failed} / ${r.requests.sent}`,
      holders: holdersCell(r.vip.segments),
      detail: detailCell(r),
    };
  });
}

const HEAD: Row = { drill: 'drill', result: 'result', window: 'no service', failed: 'failed / sent', holders: 'VIP held by', detail: 'measured' };
const KEYS = Object.keys(HEAD) as (keyof Row)[];

function intro(report: LabReport): string {
  const l = report.lab;
  const dirs = l.directors.map((d) => `${d.role} ${d.software} prio ${d.priority}`).join(', ');
  return `lab ${l.name}: VIP ${l.vip}, ${l.mode} via ${l.dataplane}, VRRPv${l.vrrpVersion} advert_int ${l.advertIntS} s; ${dirs}; ` +
    `${l.realServers.length} real servers; client ${l.clientRate} req/s, new connection each, timeout ${l.requestTimeoutMs} ms`;
}

export function renderText(report: LabReport): string {
  const all = [HEAD, ...rows(report)];
  const width = (k: keyof Row): number => Math.max(...all.map((r) => r[k].length));
  const line = (r: Row): string => KEYS.map((k) => r[k].padEnd(width(k))).join('  ').trimEnd();
  return `${intro(report)}\n\n${all.map(line).join('\n')}\n`;
}

const cell = (s: string): string => s.replace(/\|/g, '\\|');

export function renderMarkdown(report: LabReport): string {
  const out = [
    `_${intro(report)}_`, '',
    `| ${KEYS.map((k) => HEAD[k]).join(' | ')} |`,
    `|${KEYS.map(() => '---').join('|')}|`,
    ...rows(report).map((r) => `| ${KEYS.map((k) => cell(r[k])).join(' | ')} |`),
  ];
  return `${out.join('\n')}\n`;
}
