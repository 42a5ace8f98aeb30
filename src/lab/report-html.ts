// The drill report as one self-contained HTML file (inline CSS and SVG, no script, no
// external resource), one timeline per drill:
//   - a lane per director, filled while it held the VIP;
//   - a lane per real server with a tick for every request it answered;
//   - a lane of failed requests, each drawn from its start for as long as it took;
//   - the windows without service shaded across all lanes;
//   - what the drill did (dashed lines) and what the directors logged (dots).
// Pure: the report in, a string out.
import type { DrillResult, LabReport } from './report-types.js';
import { detailCell, holdersCell } from './report-table.js';

const W = 1040;
const LEFT = 92;
const RIGHT = 16;
const LANE = 22;
const PALETTE = ['#2563eb', '#d97706', '#7c3aed', '#0891b2', '#be185d', '#4d7c0f', '#b45309', '#475569'];

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const f1 = (n: number): string => (Math.round(n * 10) / 10).toString();

function timeline(r: DrillResult, lab: LabReport['lab']): string {
  const dur = Math.max(r.durationMs, 1);
  const x = (ms: number): number => LEFT + (Math.min(Math.max(ms, 0), dur) / dur) * (W - LEFT - RIGHT);
  const lanes = [...lab.directors.map((d) => `VIP ${d.role}`), ...lab.realServers.map((s) => s.role), 'failed'];
  const top = 34;
  const laneY = (i: number): number => top + i * LANE;
  const height = top + lanes.length * LANE + 24;
  const out: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${height}" width="${W}" height="${height}" role="img" aria-label="${escapeHtml(r.drill)} timeline">`];
  // Seconds grid.
  for (let s = 0; s * 1000 <= dur; s++) {
    const gx = f1(x(s * 1000));
    out.push(`<line x1="${gx}" y1="${top - 4}" x2="${gx}" y2="${top + lanes.length * LANE}" class="grid"/>`,
      `<text x="${gx}" y="${height - 8}" class="tick">${s}s</text>`);
  }
  // Windows without service.
  for (const w of r.outage.windows) {
    out.push(`<rect x="${f1(x(w.fromMs))}" y="${top - 4}" width="${f1(Math.max(1, x(w.toMs) - x(w.fromMs)))}" height="${lanes.length * LANE + 4}" class="outage"><title>no service ${w.toMs - w.fromMs} ms, ${w.failed} failed</title></rect>`);
  }
  lanes.forEach((name, i) => out.push(`<text x="${LEFT - 8}" y="${laneY(i) + 15}" class="lane">${escapeHtml(name)}</text>`));
  // VIP holders.
  lab.directors.forEach((d, i) => {
    const color = PALETTE[i % PALETTE.length] as string;
    for (const s of r.vip.segments) {
      if (!s.holders.includes(d.role)) continue;
      out.push(`<rect x="${f1(x(s.fromMs))}" y="${laneY(i) + 4}" width="${f1(Math.max(1, x(s.toMs) - x(s.fromMs)))}" height="${LANE - 8}" fill="${color}" rx="3"><title>${escapeHtml(d.role)} holds the VIP ${(s.fromMs / 1000).toFixed(2)}–${(s.toMs / 1000).toFixed(2)} s</title></rect>`);
    }
  });
  // Requests: answered ones on their real server's lane, failed ones on the last lane.
  const rsBase = lab.directors.length;
  const failLane = laneY(lanes.length - 1);
  const ticks: string[] = [];
  const fails: string[] = [];
  for (const [s, d, ok, rs] of r.samples) {
    if (ok === 1 && rs >= 0) ticks.push(`M${f1(x(s))} ${laneY(rsBase + rs) + 5}v${LANE - 10}`);
    else fails.push(`<rect x="${f1(x(s))}" y="${failLane + 6}" width="${f1(Math.max(1, x(s + d) - x(s)))}" height="${LANE - 12}" class="fail"/>`);
  }
  if (ticks.length > 0) out.push(`<path d="${ticks.join('')}" class="ok"/>`);
  out.push(...fails);
  // What the drill did and what the directors logged.
  const dirIndex = new Map(lab.directors.map((d, i) => [d.role, i]));
  for (const e of r.events) {
    const ex = f1(x(e.atMs));
    const lane = dirIndex.get(e.source);
    const label = escapeHtml(`${(e.atMs / 1000).toFixed(3)} s ${e.source}: ${e.text}`);
    if (e.kind === 'drill') {
      out.push(`<line x1="${ex}" y1="${top - 10}" x2="${ex}" y2="${top + lanes.length * LANE}" class="mark"><title>${label}</title></line>`);
    } else if (lane !== undefined) {
      out.push(`<circle cx="${ex}" cy="${laneY(lane) + LANE / 2}" r="4" class="event"><title>${label}</title></circle>`);
    }
  }
  if (r.actionAtMs !== undefined) out.push(`<text x="${f1(x(r.actionAtMs))}" y="${top - 14}" class="action">▼ action</text>`);
  out.push('</svg>');
  return out.join('\n');
}

function section(r: DrillResult, lab: LabReport['lab']): string {
  const bad = r.checks.filter((c) => !c.ok);
  const checks = r.checks.map((c) => `<li class="${c.ok ? 'pass' : 'failc'}">${c.ok ? '✔' : '✘'} ${escapeHtml(c.name)}: ${escapeHtml(c.detail)}</li>`).join('');
  const events = r.events.map((e) => `<tr><td>${(e.atMs / 1000).toFixed(3)} s</td><td>${escapeHtml(e.source)}</td><td>${escapeHtml(e.text)}</td></tr>`).join('');
  return `<section>
<h2>${escapeHtml(r.drill)} <span class="${bad.length === 0 ? 'badge ok' : 'badge bad'}">${bad.length === 0 ? 'ok' : 'failed'}</span></h2>
<p class="figures"><b>no service:</b> ${r.outage.windowMs} ms · <b>failed:</b> ${r.requests.failed} / ${r.requests.sent} ·
<b>VIP:</b> ${escapeHtml(holdersCell(r.vip.segments))} · ${escapeHtml(detailCell(r))}</p>
${timeline(r, lab)}
<ul class="checks">${checks}</ul>
<details><summary>${r.events.length} events</summary><table class="events"><tr><th>time</th><th>source</th><th>event</th></tr>${events}</table></details>
</section>`;
}

export function renderHtml(report: LabReport): string {
  const l = report.lab;
  const legend = l.directors.map((d, i) => `<span><i style="background:${PALETTE[i % PALETTE.length] as string}"></i>${escapeHtml(d.role)} (${escapeHtml(d.software)}, priority ${d.priority}) holds the VIP</span>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>halb lab drills — ${escapeHtml(report.generatedAt)}</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#111827;max-width:${W + 20}px}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 4px}
.sub{color:#4b5563;margin:0 0 12px}.figures{margin:2px 0 6px}
.badge{font-size:12px;padding:1px 7px;border-radius:9px;vertical-align:middle}.badge.ok{background:#dcfce7;color:#166534}.badge.bad{background:#fee2e2;color:#991b1b}
.legend span{margin-right:16px;white-space:nowrap}.legend i{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:4px;vertical-align:-1px}
svg{display:block;background:#fafafa;border:1px solid #e5e7eb;border-radius:6px}
.grid{stroke:#e5e7eb}.tick{font-size:10px;fill:#6b7280;text-anchor:middle}.lane{font-size:12px;fill:#374151;text-anchor:end}
.outage{fill:#fecaca;opacity:.55}.ok{stroke:#16a34a;stroke-width:1;opacity:.7}.fail{fill:#dc2626;opacity:.65}
.mark{stroke:#111827;stroke-dasharray:4 3}.event{fill:#fff;stroke:#111827;stroke-width:1.5}.action{font-size:11px;fill:#111827}
.checks{margin:6px 0;padding-left:18px}.checks li{list-style:none}.pass{color:#166534}.failc{color:#991b1b}
.events{border-collapse:collapse;font-size:12px}.events td,.events th{border-bottom:1px solid #e5e7eb;padding:2px 8px;text-align:left}
</style></head><body>
<h1>halb lab drills</h1>
<p class="sub">${escapeHtml(`VIP ${l.vip} · ${l.mode} via ${l.dataplane} · VRRPv${l.vrrpVersion}, advert_int ${l.advertIntS} s · client ${l.clientRate} req/s on new connections, timeout ${l.requestTimeoutMs} ms · ${report.generatedAt}`)}</p>
<p class="legend">${legend}<span><i style="background:#16a34a"></i>request answered (on its real server's lane)</span><span><i style="background:#dc2626"></i>request failed (as long as it took)</span><span><i style="background:#fecaca"></i>no service</span><span>┆ what the drill did · ○ what a director logged</span></p>
${report.drills.map((r) => section(r, l)).join('\n')}
</body></html>
`;
}
