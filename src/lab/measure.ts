// From a drill's raw observations to its figures (pure): the windows without service,
// requests failed out of sent, which director held the VIP when, how long a takeover and
// a real server's detection took. Times in the result are ms from the drill's start.
import type { DrillCheck, DrillRecord, DrillResult, HolderSegment, LogEvent, OutageWindow, Sample } from './report-types.js';
import { longLivedCheck, longLivedFigures } from './long-lived.js';

/**
 * What a takeover may take beyond Master_Down_Interval before the client is served again:
 * the new master's gratuitous ARP, the client's next connection, the proxy's accept.
 */
export const FAILOVER_SLACK_MS = 1000;

/**
 * Windows without service. Requests are taken in the order they were sent; a window is
 * a run of failed requests with no success between them, and lasts from the start of its
 * first failed request to the start of the next request that succeeded (or to the end
 * of its last failed one when none did).
 */
export function outageWindows(samples: readonly Sample[], origin: number): OutageWindow[] {
  const sorted = [...samples].sort((a, b) => a.s - b.s);
  const out: OutageWindow[] = [];
  let open: { from: number; failed: number; lastEnd: number } | undefined;
  for (const r of sorted) {
    if (!r.ok) {
      if (open === undefined) open = { from: r.s, failed: 0, lastEnd: r.e };
      open.failed++;
      open.lastEnd = Math.max(open.lastEnd, r.e);
    } else if (open !== undefined) {
      out.push({ fromMs: open.from - origin, toMs: r.s - origin, failed: open.failed });
      open = undefined;
    }
  }
  if (open !== undefined) out.push({ fromMs: open.from - origin, toMs: open.lastEnd - origin, failed: open.failed, ongoing: true });
  return out;
}

/**
 * Who held the VIP over the drill: the directors with the VIP on their interface, less
 * those whose power is off (an address on a dead host serves nobody). Changes at the
 * same instant apply in the order the drill saw them.
 */
export function holderSegments(rec: DrillRecord): HolderSegment[] {
  const onIf = new Set(rec.initialHolders);
  const off = new Set(rec.initialPoweredOff);
  type Change = { at: number; apply: () => void };
  const changes: Change[] = [
    ...rec.vipEvents.map((e) => ({ at: e.at, apply: () => { if (e.held) onIf.add(e.director); else onIf.delete(e.director); } })),
    ...rec.marks.filter((m) => (m.kind === 'power-off' || m.kind === 'power-on') && m.director !== undefined)
      .map((m) => ({
        at: m.at,
        apply: () => {
          const d = m.director as string;
          if (m.kind === 'power-off') off.add(d);
          else {
            // A director that powers on starts without the VIP (a reboot loses it).
            off.delete(d);
            onIf.delete(d);
          }
        },
      })),
  ].sort((a, b) => a.at - b.at);
  const holders = (): string[] => rec.directors.filter((d) => onIf.has(d) && !off.has(d));
  const segs: HolderSegment[] = [];
  let from = rec.startedAt;
  let cur = holders();
  for (const c of changes) {
    if (c.at < rec.startedAt) {
      c.apply();
      cur = holders();
      continue;
    }
    c.apply();
    const next = holders();
    if (next.join() === cur.join()) continue;
    if (c.at > from) segs.push({ fromMs: from - rec.startedAt, toMs: c.at - rec.startedAt, holders: cur });
    from = c.at;
    cur = next;
  }
  segs.push({ fromMs: from - rec.startedAt, toMs: rec.endedAt - rec.startedAt, holders: cur });
  return segs;
}

/** The first log event on `director` of `kind` about `rs`, at or after `after`. */
function firstLog(events: readonly LogEvent[], director: string, kind: LogEvent['kind'], rs: string | undefined, after: number): LogEvent | undefined {
  return [...events].sort((a, b) => a.at - b.at).find((e) => e.director === director && e.kind === kind && e.rs === rs && e.at >= after);
}

/** A dataplane update logged this long after a verdict is taken as that verdict's. */
export const APPLY_WITHIN_MS = 1000;

function count<T>(xs: readonly T[], key: (x: T) => string | undefined): Record<string, number> {
  const m: Record<string, number> = {};
  for (const x of xs) {
    const k = key(x);
    if (k !== undefined) m[k] = (m[k] ?? 0) + 1;
  }
  return m;
}

export function measure(rec: DrillRecord): DrillResult {
  const t0 = rec.startedAt;
  const rel = (t: number): number => Math.round(t - t0);
  const samples = rec.samples;
  const failed = samples.filter((s) => !s.ok);
  const windows = outageWindows(samples, t0);
  const segments = holderSegments(rec);
  const ex = rec.expect;
  const action = rec.actionAt;

  let takeoverMs: number | undefined;
  if (action !== undefined && ex.takeoverBy !== undefined && (rec.drill === 'failover' || rec.drill === 'failback' || rec.drill === 'partition')) {
    const seg = segments.find((s) => s.fromMs >= action - t0 && s.holders.includes(ex.takeoverBy as string));
    if (seg !== undefined) takeoverMs = Math.round(seg.fromMs - (action - t0));
  }

  let detection: DrillResult['detection'];
  let failedAfterDetection: number | undefined;
  if (action !== undefined && ex.rsAddress !== undefined && ex.detectOn !== undefined) {
    if (rec.drill === 'rs-down') {
      const ev = firstLog(rec.logEvents, ex.detectOn, 'rs-down', ex.rsAddress, action);
      if (ev !== undefined) {
        // Requests count as failed after detection once the director's dataplane has the
        // new pool: the checker's verdict is logged first, and an nftables commit follows.
        const applied = ev.how === 'health checker' ? firstLog(rec.logEvents, ex.detectOn, 'pool-applied', undefined, ev.at) : undefined;
        const outAt = applied !== undefined && applied.at - ev.at <= APPLY_WITHIN_MS ? applied.at : ev.at;
        detection = {
          realServer: ex.rsName ?? ex.rsAddress, director: ex.detectOn, ms: Math.round(ev.at - action), how: ev.how ?? 'health checker',
          ...(outAt !== ev.at ? { appliedMs: Math.round(outAt - action) } : {}),
        };
        failedAfterDetection = failed.filter((s) => s.s >= outAt).length;
      }
    } else if (rec.drill === 'rs-up') {
      const ev = firstLog(rec.logEvents, ex.detectOn, 'rs-up', ex.rsAddress, action);
      const served = samples.filter((s) => s.ok && s.rs === ex.rsName && s.s >= action).sort((a, b) => a.e - b.e)[0];
      if (ev !== undefined) {
        detection = {
          realServer: ex.rsName ?? ex.rsAddress, director: ex.detectOn, ms: Math.round(ev.at - action), how: 'health checker',
          ...(served !== undefined ? { firstServedMs: Math.round(served.e - action) } : {}),
        };
      }
    }
  }

  const events = [
    ...rec.marks.map((m) => ({ at: m.at, kind: 'drill' as const, source: m.director ?? 'lab', text: m.text })),
    ...rec.logEvents.map((e) => ({ at: e.at, kind: 'log' as const, source: e.director, text: e.text })),
  ].sort((a, b) => a.at - b.at).map((e) => ({ atMs: rel(e.at), kind: e.kind, source: e.source, text: e.text }));

  const checks = checksFor(rec, {
    windowMs: windows.reduce((m, w) => Math.max(m, w.toMs - w.fromMs), 0), failed: failed.length, takeoverMs, detection,
    failedAfterDetection, holdersAtEnd: segments[segments.length - 1]?.holders ?? [],
  });
  const longLived = rec.longLived !== undefined ? longLivedFigures(rec.longLived, action) : undefined;
  const llCheck = longLived !== undefined ? longLivedCheck(longLived) : undefined;
  if (llCheck !== undefined) checks.push(llCheck);
  const rsIndex = new Map(rec.realServers.map((r, i) => [r, i]));
  return {
    drill: rec.drill,
    ok: rec.error === undefined,
    ...(rec.error !== undefined ? { error: rec.error } : {}),
    startedAt: new Date(t0).toISOString(),
    durationMs: rel(rec.endedAt),
    ...(action !== undefined ? { actionAtMs: rel(action) } : {}),
    requests: {
      sent: samples.length,
      ok: samples.length - failed.length,
      failed: failed.length,
      ...(failedAfterDetection !== undefined ? { failedAfterDetection } : {}),
      servedBy: count(samples, (s) => (s.ok ? s.rs : undefined)),
      errors: count(failed, (s) => s.err ?? 'unknown'),
    },
    outage: {
      windowMs: Math.round(windows.reduce((m, w) => Math.max(m, w.toMs - w.fromMs), 0)),
      totalMs: Math.round(windows.reduce((n, w) => n + (w.toMs - w.fromMs), 0)),
      ongoing: windows[windows.length - 1]?.ongoing === true,
      windows: windows.map((w) => ({ fromMs: Math.round(w.fromMs), toMs: Math.round(w.toMs), failed: w.failed, ...(w.ongoing === true ? { ongoing: true as const } : {}) })),
    },
    vip: {
      segments: segments.map((s) => ({ fromMs: Math.round(s.fromMs), toMs: Math.round(s.toMs), holders: s.holders })),
      ...(takeoverMs !== undefined ? { takeoverMs } : {}),
      holdersAtEnd: segments[segments.length - 1]?.holders ?? [],
    },
    ...(detection !== undefined ? { detection } : {}),
    ...(ex.masterDownIntervalMs !== undefined ? { masterDownIntervalMs: Math.round(ex.masterDownIntervalMs) } : {}),
    ...(longLived !== undefined ? { longLived } : {}),
    checks,
    events,
    samples: [...samples].sort((a, b) => a.s - b.s)
      .map((s) => [Math.round(s.s - t0), Math.round(s.e - s.s), s.ok ? 1 : 0, s.rs !== undefined ? rsIndex.get(s.rs) ?? -1 : -1] as const),
  };
}

interface Figures {
  readonly windowMs: number;
  readonly failed: number;
  readonly takeoverMs: number | undefined;
  readonly detection: DrillResult['detection'];
  readonly failedAfterDetection: number | undefined;
  readonly holdersAtEnd: readonly string[];
}

/** The expectations of each drill on a healthy cluster. */
export function checksFor(rec: DrillRecord, f: Figures): DrillCheck[] {
  const ex = rec.expect;
  const c = (name: string, ok: boolean, detail: string): DrillCheck => ({ name, ok, detail });
  const alone = (who: string | undefined): DrillCheck =>
    c('one VIP holder at the end', who !== undefined && f.holdersAtEnd.join() === who, `held by ${f.holdersAtEnd.join(', ') || 'nobody'} at the end (expected ${who ?? '?'})`);
  const out: DrillCheck[] = [c('ran to the end', rec.error === undefined, rec.error ?? 'every step finished in time')];
  switch (rec.drill) {
    case 'failover': {
      const bound = (ex.masterDownIntervalMs ?? 0) + FAILOVER_SLACK_MS;
      out.push(c('takeover', f.takeoverMs !== undefined, f.takeoverMs !== undefined ? `${ex.takeoverBy ?? '?'} took the VIP after ${Math.round(f.takeoverMs)} ms` : 'no takeover seen'));
      out.push(c('window below Master_Down_Interval + slack', ex.masterDownIntervalMs !== undefined && f.windowMs < bound,
        `window ${Math.round(f.windowMs)} ms, bound ${Math.round(bound)} ms (Master_Down_Interval ${Math.round(ex.masterDownIntervalMs ?? 0)} ms + ${FAILOVER_SLACK_MS} ms)`));
      out.push(alone(ex.takeoverBy));
      break;
    }
    case 'failback':
    case 'partition':
      out.push(alone(rec.directors[0]));
      break;
    case 'rs-down':
      out.push(c('dead real server detected', f.detection !== undefined, f.detection !== undefined ? `after ${f.detection.ms} ms (${f.detection.how})` : 'not detected'));
      out.push(c('no failed request after detection', f.failedAfterDetection === 0, `${f.failedAfterDetection ?? '?'} failed after detection`));
      break;
    case 'rs-up':
      out.push(c('real server back in the pool', f.detection?.firstServedMs !== undefined, f.detection?.firstServedMs !== undefined ? `served again after ${f.detection.firstServedMs} ms` : 'not served again'));
      out.push(c('no failed request', f.failed === 0, `${f.failed} failed`));
      break;
    case 'reload':
    case 'reload-vrrp':
      out.push(c('no failed request', f.failed === 0, `${f.failed} failed`));
      out.push(alone(rec.initialHolders.length === 1 ? rec.initialHolders[0] : rec.directors[0]));
      break;
  }
  return out;
}
