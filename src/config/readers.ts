// Shared value readers for keyword handlers, after keepalived's read_unsigned_strvec()
// and friends: each validates, reports in keepalived's words at the statement's line,
// and returns undefined so the handler keeps its default.
import { isIP } from 'node:net';
import type { ResolvedScript } from '../core/script.js';
import type { Stmt } from './lexer.js';
import { shellSplit } from './lexer.js';
import type { Parser } from './parser.js';

function arg(s: Stmt, i: number): string | undefined {
  return s.words[i];
}

/** An integer in [min, max] at word i. */
export function readInt(s: Stmt, p: Parser, i: number, min: number, max: number): number | undefined {
  const w = arg(s, i);
  if (w === undefined) {
    p.diag.error(s.pos, `${s.words[0]}: missing value (expected a number between ${min} and ${max})`, s.words[0]);
    return undefined;
  }
  if (!/^[-+]?\d+$/.test(w)) {
    p.diag.error(s.pos, `invalid number '${w}'`, s.words[0]);
    return undefined;
  }
  const v = Number(w);
  if (v < min || v > max) {
    p.diag.error(s.pos, `number '${w}' outside range [${min}, ${max}]`, s.words[0]);
    return undefined;
  }
  return v;
}

/** A decimal number (fractions allowed) in [min, max]; `fmt` words the range in messages. */
function readDecimalIn(s: Stmt, p: Parser, i: number, min: number, max: number, fmt: (n: number) => string): number | undefined {
  const w = arg(s, i);
  if (w === undefined) {
    p.diag.error(s.pos, `${s.words[0]}: missing value (expected a number between ${min} and ${max})`, s.words[0]);
    return undefined;
  }
  if (!/^[-+]?(\d+\.?\d*|\.\d+)$/.test(w)) {
    p.diag.error(s.pos, `invalid number '${w}'`, s.words[0]);
    return undefined;
  }
  const v = Number(w);
  if (v < min || v > max) {
    p.diag.error(s.pos, `number '${w}' outside range [${fmt(min)}, ${fmt(max)}]`, s.words[0]);
    return undefined;
  }
  return v;
}

/** A decimal number (fractions allowed) in [min, max]. */
export function readDecimal(s: Stmt, p: Parser, i: number, min: number, max: number): number | undefined {
  return readDecimalIn(s, p, i, min, max, String);
}

/**
 * Like readDecimal, but words the range as C's %f does, as keepalived's
 * read_decimal_unsigned_strvec / read_double_strvec / read_timer report it:
 * "number '0' outside range [0.010000, 255.000000]" (`digits` decimals; BFD uses 3).
 */
export function readDecimalFixed(s: Stmt, p: Parser, i: number, min: number, max: number, digits = 6): number | undefined {
  return readDecimalIn(s, p, i, min, max, (n) => n.toFixed(digits));
}

/** A keepalived <TIMER>: seconds with optional fraction, returned in milliseconds (µs resolution kept). */
export function readTimerMs(s: Stmt, p: Parser, i: number, minS = 0, maxS = 2_147_483): number | undefined {
  const v = readDecimal(s, p, i, minS, maxS);
  return v === undefined ? undefined : Math.round(v * 1_000_000) / 1000;
}

/** keepalived's <BOOL>: the keyword alone means true. */
export function readBool(s: Stmt, p: Parser, i = 1): boolean | undefined {
  const w = arg(s, i);
  if (w === undefined) return true;
  const l = w.toLowerCase();
  if (l === 'on' || l === 'true' || l === 'yes') return true;
  if (l === 'off' || l === 'false' || l === 'no') return false;
  p.diag.error(s.pos, `invalid boolean '${w}' for ${s.words[0]} (expected on|off|true|false|yes|no)`, s.words[0]);
  return undefined;
}

/** A bare word argument. */
export function readWord(s: Stmt, p: Parser, i = 1, what = 'a value'): string | undefined {
  const w = arg(s, i);
  if (w === undefined || w === '') {
    p.diag.error(s.pos, `${s.words[0]}: missing ${what}`, s.words[0]);
    return undefined;
  }
  return w;
}

export type Family = 4 | 6;

export interface Prefix {
  readonly addr: string;
  readonly family: Family;
  /** Prefix length; /32 or /128 when not given. */
  readonly len: number;
  readonly lenGiven: boolean;
}

/** `ADDR[/LEN]`; returns a reason string on failure so callers can word their own message. */
export function parsePrefix(text: string): Prefix | string {
  const [a = '', l, ...extra] = text.split('/');
  if (extra.length > 0) return `invalid address '${text}'`;
  const fam = isIP(a);
  if (fam !== 4 && fam !== 6) return `invalid address '${text}'`;
  const max = fam === 4 ? 32 : 128;
  if (l === undefined) return { addr: normaliseAddr(a, fam), family: fam, len: max, lenGiven: false };
  if (!/^\d+$/.test(l) || Number(l) > max) return `invalid prefix length in '${text}'`;
  return { addr: normaliseAddr(a, fam), family: fam, len: Number(l), lenGiven: true };
}

/** An IP address (no prefix) at word i. */
export function readAddr(s: Stmt, p: Parser, i: number): { addr: string; family: Family } | undefined {
  const w = arg(s, i);
  if (w === undefined) {
    p.diag.error(s.pos, `${s.words[0]}: missing address`, s.words[0]);
    return undefined;
  }
  const fam = isIP(w);
  if (fam !== 4 && fam !== 6) {
    p.diag.error(s.pos, `invalid address '${w}' for ${s.words[0]}`, s.words[0]);
    return undefined;
  }
  return { addr: normaliseAddr(w, fam), family: fam };
}

/** Lower-case IPv6 and drop IPv4 leading zeros so equal addresses compare equal. */
export function normaliseAddr(a: string, fam: 4 | 6): string {
  if (fam === 4) return a.split('.').map((o) => String(Number(o))).join('.');
  return a.toLowerCase();
}

/** A TCP/UDP port 0..65535 (keepalived also accepts service names; we accept the common numeric form). */
export function readPort(s: Stmt, p: Parser, i: number): number | undefined {
  return readInt(s, p, i, 0, 65535);
}

export interface ScriptSpec {
  /** The command as keepalived would exec it. */
  readonly argv: readonly string[];
  /** The text as written, for logs and for comparing on reload. */
  readonly text: string;
  readonly user?: string;
  readonly group?: string;
  /** Set by the script audit (validate-scripts.ts) when the script may run: nothing else is executed. */
  run?: ResolvedScript;
}

/**
 * A script keyword's value: `CMD` or `"CMD ARGS"` (re-split with the shell-like
 * tokenizer), optionally followed by `user [:][group]`.
 */
export function readScript(s: Stmt, p: Parser, restText = s.rest): ScriptSpec | undefined {
  const r = shellSplit(restText);
  if (r.error !== undefined) p.diag.error(s.pos, `${s.words[0]}: ${r.error}`, s.words[0]);
  const [cmd, ...tail] = r.argv;
  if (cmd === undefined || cmd === '') {
    p.diag.error(s.pos, `${s.words[0]}: no script given`, s.words[0]);
    return undefined;
  }
  const inner = /\s/.test(cmd) ? shellSplit(cmd) : { argv: [cmd] };
  if (inner.argv.length === 0) {
    p.diag.error(s.pos, `${s.words[0]}: no script given`, s.words[0]);
    return undefined;
  }
  let user: string | undefined;
  let group: string | undefined;
  if (tail.length > 0) {
    const joined = tail.join(' ');
    const m = /^([^\s:]+)?\s*:?\s*(\S+)?$/.exec(joined);
    user = m?.[1];
    group = m?.[2];
    if (tail.length > 2 || user === undefined) {
      p.diag.error(s.pos, `${s.words[0]}: unexpected '${joined}' after the script (quote a command with arguments)`, s.words[0]);
    }
  }
  return {
    argv: inner.argv,
    text: restText.trim(),
    ...(user !== undefined ? { user } : {}),
    ...(group !== undefined ? { group } : {}),
  };
}
