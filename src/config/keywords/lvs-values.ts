// Value readers for the LVS keywords, reproducing keepalived 2.2.7's lib/parser.c as run
// by `keepalived -t` (read_unsigned_strvec, read_int_strvec, read_timer, null_strvec), so
// `halb -t` prints the same lines: the reader's own complaint ("number '0' outside range
// [1, 65535]") and then, from the caller, the keyword's message.
import type { Stmt } from '../lexer.js';
import type { Parser } from '../parser.js';

const UINT_MAX = 4_294_967_295;
const INT_MAX = 2_147_483_647;
/** keepalived's TIMER_MAXIMUM (ULONG_MAX - 1 microseconds). */
const TIMER_MAX_US = 18_446_744_073_709_551_614n;
const ULONG_MAX = 18_446_744_073_709_551_615n;

/**
 * The word at index i, or keepalived's fatal "missing a parameter" (keepalived exits on it;
 * we report it as fatal and carry on, so one run shows every problem).
 */
export function need(s: Stmt, p: Parser, i = 1): string | undefined {
  const w = s.words[i];
  if (w !== undefined) return w;
  const kw = s.words[0] ?? '***MISSING ***';
  const prev = s.words[i - 1];
  const msg = i > 0 && prev !== undefined
    ? `*** Configuration line starting \`${kw}\` is missing a parameter after keyword \`${prev}\` at word position ${i + 1}`
    : `*** Configuration line starting \`${kw}\` is missing a parameter at word position ${i + 1}`;
  p.diag.fatal(s.pos, msg, s.words[0]);
  return undefined;
}

const WHITE = /^[ \t\n\v\f\r]*/;

/** strtoul/strtol's accepted prefix: optional sign, then decimal digits. */
function leadingInteger(text: string): { digits: string; rest: string } {
  const m = /^[+-]?(\d*)/.exec(text) as RegExpExecArray;
  if (m[1] === '') return { digits: '', rest: text };
  return { digits: m[0], rest: text.slice(m[0].length) };
}

/** read_unsigned(): a decimal in [min, max]; undefined (after keepalived's message) otherwise. */
export function parseUnsigned(word: string, s: Stmt, p: Parser, min: number, max: number): number | undefined {
  const body = word.slice((WHITE.exec(word) as RegExpExecArray)[0].length);
  const { digits, rest } = leadingInteger(body);
  if (body.startsWith('-')) return fail(s, p, `negative number '${word}'`);
  if (rest !== '') return fail(s, p, `invalid number '${word}'`);
  const v = digits === '' ? 0 : Number(digits);
  if (v > UINT_MAX) return fail(s, p, `number '${word}' outside unsigned integer range`);
  if (v < min || v > max) return fail(s, p, `number '${word}' outside range [${min}, ${max}]`);
  return v;
}

/** read_unsigned_strvec() on word i (fatal when missing). */
export function readUnsigned(s: Stmt, p: Parser, i: number, min: number, max: number): number | undefined {
  const w = need(s, p, i);
  return w === undefined ? undefined : parseUnsigned(w, s, p, min, max);
}

/** read_int_strvec(): a signed decimal in [min, max]. */
export function readSigned(s: Stmt, p: Parser, i: number, min: number, max: number): number | undefined {
  const w = need(s, p, i);
  if (w === undefined) return undefined;
  const body = w.slice((WHITE.exec(w) as RegExpExecArray)[0].length);
  const { digits, rest } = leadingInteger(body);
  if (rest !== '') return fail(s, p, `invalid number '${w}'`);
  const v = digits === '' ? 0 : Number(digits);
  if (v < -INT_MAX - 1 || v > INT_MAX) return fail(s, p, `number '${w}' outside integer range`);
  if (v < min || v > max) return fail(s, p, `number '${w}' outside range [${min}, ${max}]`);
  return v;
}

function fail(s: Stmt, p: Parser, msg: string): undefined {
  p.diag.error(s.pos, msg, s.words[0]);
  return undefined;
}

function formatMicro(us: bigint): string {
  return `${us / 1_000_000n}.${String(us % 1_000_000n).padStart(6, '0')}`;
}

/**
 * read_timer(): seconds with up to 6 decimals, bounds in microseconds (maxUs 0 = the
 * maximum). Returns milliseconds. keepalived's quirks are kept: too many decimals are
 * rounded after a complaint, and a malformed number is complained about but its leading
 * digits still used when they fall in range ("2x" reads as 2 µs).
 */
export function readTimer(s: Stmt, p: Parser, i: number, minUs: bigint, maxUs: bigint): number | undefined {
  const w = need(s, p, i);
  if (w === undefined) return undefined;
  const max = maxUs === 0n ? TIMER_MAX_US : maxUs;
  if (w.startsWith('-')) return fail(s, p, `negative number '${w}'`);
  const dp = w.indexOf('.');
  let numDp = dp >= 0 ? w.length - dp - 1 : 0;
  let roundUp = false;
  if (numDp > 6) {
    p.diag.error(s.pos, `number '${w}' has too many decimal places`, s.words[0]);
    roundUp = (w[dp + 7] ?? '0') >= '5';
    numDp = 6;
  }
  const joined = dp >= 0 ? w.slice(0, dp) + w.slice(dp + 1, dp + 1 + numDp) : w;
  const text = joined + '0'.repeat(6 - numDp);
  const body = text.slice((WHITE.exec(text) as RegExpExecArray)[0].length);
  const { digits, rest } = leadingInteger(body);
  let val = digits === '' ? 0n : BigInt(digits);
  if (roundUp) val++;
  if (rest !== '') {
    p.diag.error(s.pos, `invalid number '${w}'`, s.words[0]);
  } else if (val > ULONG_MAX) {
    return fail(s, p, `number '${w}' outside unsigned decimal range`);
  } else if (val < minUs || val > max) {
    return fail(s, p, `number '${w}' outside range [${formatMicro(minUs)}, ${formatMicro(max)}]`);
  }
  if (val < minUs || val > max) return undefined;
  return Number(val) / 1000;
}

/** check_true_false(): undefined for anything but on/off/true/false/yes/no. */
export function trueFalse(word: string): boolean | undefined {
  if (word === 'true' || word === 'on' || word === 'yes') return true;
  if (word === 'false' || word === 'off' || word === 'no') return false;
  return undefined;
}

/** A `<BOOL>` keyword: alone means true; a bad value gets the caller's message and keeps the old value. */
export function readFlag(s: Stmt, p: Parser, message: (w: string) => string): boolean | undefined {
  const w = s.words[1];
  if (w === undefined) return true;
  const v = trueFalse(w);
  if (v === undefined) p.diag.error(s.pos, message(w), s.words[0]);
  return v;
}

export const LIMITS = { UINT_MAX, INT_MAX } as const;
