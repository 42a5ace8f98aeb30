// Reading what `keepalived -t` and `halb -t` print, so the two can be compared.
//
// keepalived 2.2.7 parses the configuration once per subsystem (parent, VRRP,
// checker, BFD), so a message can appear up to four times, and some copies come
// without the file name ("(Line 12) Extra '}' found" beside "(x.conf: Line 12) ...").
// Messages are deduplicated on (line, text); a file-less copy of a message that also
// appears with a file is dropped, and a file-less one alone is taken to be about the
// main file (the one passed with -f).
// halb prints each diagnostic once as `<severity>: (FILE: Line N) message`.
import { posix } from 'node:path';

export interface CheckMessage {
  /** File as printed, made relative to the fixture folder; undefined when none was printed. */
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly text: string;
  /** The line as printed (first copy, preferring one that names the file). */
  readonly raw: string;
}

const located = /^\((?:(.+): )?Line (\d+)\) (.*)$/;

function relative(file: string, cwd: string): string {
  const abs = posix.resolve(cwd, file);
  return posix.relative(cwd, abs);
}

function parseOne(raw: string, cwd: string): CheckMessage {
  const m = located.exec(raw);
  if (!m) return { file: undefined, line: undefined, text: raw, raw };
  return {
    file: m[1] === undefined ? undefined : relative(m[1], cwd),
    line: Number(m[2]),
    text: m[3] as string,
    raw,
  };
}

/** keepalived -t's messages, deduplicated in first-seen order. `cwd` is where it ran. */
export function parseKeepalivedOutput(output: string, cwd: string): CheckMessage[] {
  const all = output.split('\n').map((l) => l.trimEnd()).filter((l) => l !== '').map((l) => parseOne(l, cwd));
  const withFile = new Set(all.filter((m) => m.file !== undefined).map((m) => `${m.line}\u0000${m.text}`));
  const seen = new Set<string>();
  const out: CheckMessage[] = [];
  for (const m of all) {
    if (m.file === undefined && m.line !== undefined && withFile.has(`${m.line}\u0000${m.text}`)) continue;
    const key = `${m.file ?? ''}\u0000${m.line ?? ''}\u0000${m.text}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(m);
  }
  return out;
}

export interface HalbMessage extends CheckMessage {
  readonly severity: 'fatal' | 'error' | 'warning';
}

const halbLine = /^(fatal|error|warning): (.*)$/;

/** halb -t's diagnostics; lines that are not diagnostics (a stack trace, say) come back as errors so they cannot pass unseen. */
export function parseHalbOutput(output: string, cwd: string): HalbMessage[] {
  return output.split('\n').map((l) => l.trimEnd()).filter((l) => l !== '').map((raw) => {
    const m = halbLine.exec(raw);
    if (!m) return { severity: 'error' as const, file: undefined, line: undefined, text: raw, raw };
    return { ...parseOne(m[2] as string, cwd), severity: m[1] as HalbMessage['severity'], raw };
  });
}

/**
 * `file:line` keys of the messages that name a line; file-less ones count as the main
 * file's. Sorted, unique.
 */
export function lineKeys(msgs: readonly CheckMessage[], mainFile: string): string[] {
  const keys = new Set<string>();
  for (const m of msgs) if (m.line !== undefined) keys.add(`${m.file ?? mainFile}:${m.line}`);
  return [...keys].sort(compareKeys);
}

/** Line numbers in the main file, ascending (what NAME.expect.json stores). */
export function mainFileLines(msgs: readonly CheckMessage[], mainFile: string): number[] {
  const lines = new Set<number>();
  for (const m of msgs) if (m.line !== undefined && (m.file ?? mainFile) === mainFile) lines.add(m.line);
  return [...lines].sort((a, b) => a - b);
}

function compareKeys(a: string, b: string): number {
  const [fa = '', la = '0'] = splitKey(a);
  const [fb = '', lb = '0'] = splitKey(b);
  return fa === fb ? Number(la) - Number(lb) : fa < fb ? -1 : 1;
}

function splitKey(k: string): [string, string] {
  const i = k.lastIndexOf(':');
  return [k.slice(0, i), k.slice(i + 1)];
}
