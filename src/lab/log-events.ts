// The director log lines a drill reads, and what they mean (pure). halb and keepalived
// word them alike, since halb logs in keepalived's wording:
//   (VI_1) Entering MASTER STATE                     -> vrrp, state MASTER
//   Ejecting [192.0.2.141]:tcp:80 from VS ...: ...   -> rs-down, passive ejection
//   Disabling service [192.0.2.141]:tcp:80 from VS   -> rs-down, health checker
//   Enabling service [192.0.2.141]:tcp:80 from VS    -> rs-up
//   Reloading configuration from ...                  -> reload
//   health change: 0 added, 0 removed, 1 updated ...  -> pool-applied (halb only: the dataplane has the new pool)
// halb's text log starts each line with an ISO time, which is used when present; other
// lines are stamped with the time the drill read them.
import type { LogEvent } from './report-types.js';

const ISO = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z)\s/;

export function parseLogLine(line: string, director: string, readAt: number): LogEvent | undefined {
  const iso = ISO.exec(line);
  const stamped = iso !== null ? Date.parse(iso[1] as string) : Number.NaN;
  const at = Number.isFinite(stamped) ? stamped : readAt;
  let m = /\((\S+)\) Entering (\w+) STATE/.exec(line);
  if (m !== null) return { at, director, kind: 'vrrp', state: m[2] as string, text: `(${m[1] as string}) Entering ${m[2] as string} STATE` };
  m = /Ejecting \[([^\]]+)\]:\w+:\d+/.exec(line);
  if (m !== null) return { at, director, kind: 'rs-down', rs: m[1] as string, how: 'passive ejection', text: `ejected ${m[1] as string} (the proxy saw it refuse)` };
  m = /Disabling service \[([^\]]+)\]:\w+:\d+/.exec(line);
  if (m !== null) return { at, director, kind: 'rs-down', rs: m[1] as string, how: 'health checker', text: `disabled ${m[1] as string}` };
  m = /Enabling service \[([^\]]+)\]:\w+:\d+/.exec(line);
  if (m !== null) return { at, director, kind: 'rs-up', rs: m[1] as string, text: `enabled ${m[1] as string}` };
  if (/Reloading configuration/.test(line)) return { at, director, kind: 'reload', text: 'reloading configuration' };
  if (/\bhealth change: \d+ added, \d+ removed, [1-9]\d* updated/.test(line)) return { at, director, kind: 'pool-applied', text: 'dataplane updated' };
  return undefined;
}
