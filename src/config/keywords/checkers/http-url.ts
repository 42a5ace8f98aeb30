// The `url { }` block of HTTP_GET / SSL_GET (keepalived's check_http.c url_handler ...
// url_check). Findings keepalived only logs (the regex ones) are warnings here: they do
// not fail `keepalived -t`.
import type { SourcePos } from '../../diagnostics.js';
import { shellSplit, type Stmt } from '../../lexer.js';
import type { Block, KeywordTable, Parser } from '../../parser.js';
import type { HttpRegex, HttpUrl, StatusRange } from '../../model/lvs.js';
import { blockEnd } from '../lvs-draft.js';
import { need } from '../lvs-values.js';

const STATUS_MIN = 100;
const STATUS_MAX = 599;

/** PCRE2 options keepalived knows by name (regex_options); others are ignored, as there. */
const REGEX_OPTIONS = new Set([
  'allow_empty_class', 'alt_bsux', 'auto_callout', 'caseless', 'dollar_endonly', 'dotall', 'dupnames', 'extended',
  'firstline', 'match_unset_backref', 'multiline', 'never_ucp', 'never_utf', 'no_auto_capture', 'no_auto_possess',
  'no_dotstar_anchor', 'no_start_optimize', 'ungreedy', 'never_backslash_c', 'alt_circumflex', 'alt_verbnames',
  'use_offset_limit',
]);

/** strtoul(text, &end, 10): value and what follows; a leading '-' wraps to a huge value. */
function strtoul(text: string): { value: number; rest: string } {
  const m = /^[ \t\n\v\f\r]*([+-]?)(\d+)/.exec(text);
  if (m === null) return { value: 0, rest: text };
  const v = Number(m[2]);
  return { value: m[1] === '-' && v !== 0 ? Number.MAX_SAFE_INTEGER : v, rest: text.slice(m[0].length) };
}

/** Merge a 100..599 bitmap into sorted inclusive ranges. */
function toRanges(bits: boolean[]): StatusRange[] {
  const out: StatusRange[] = [];
  let start = -1;
  for (let c = STATUS_MIN; c <= STATUS_MAX + 1; c++) {
    const on = c <= STATUS_MAX && bits[c - STATUS_MIN] === true;
    if (on && start < 0) start = c;
    if (!on && start >= 0) {
      out.push({ min: start, max: c - 1 });
      start = -1;
    }
  }
  return out;
}

/** JS flags for the PCRE2 options that have one, to check the pattern compiles. */
function jsFlags(options: readonly string[]): string {
  return (options.includes('caseless') ? 'i' : '') + (options.includes('multiline') ? 'm' : '') + (options.includes('dotall') ? 's' : '');
}

interface RegexDraft {
  pattern?: string;
  options: string[];
  noMatch: boolean;
  minOffset: number;
  /** One past the last offset, 0 = none (keepalived's representation). */
  maxOffsetPlus1: number;
  stack?: { start: number; max: number };
}

export function urlBlock(s: Stmt, p: Parser, urls: HttpUrl[]): Block {
  const bits: boolean[] = new Array<boolean>(STATUS_MAX - STATUS_MIN + 1).fill(false);
  const rx: RegexDraft = { options: [], noMatch: false, minOffset: 0, maxOffsetPlus1: 0 };
  let path: string | undefined;
  let digest: string | undefined;
  let virtualhost: string | undefined;
  const last: SourcePos = s.pos;
  const err = (st: Stmt, msg: string): void => p.diag.error(st.pos, msg, st.words[0]);
  const warn = (st: Stmt, msg: string): void => p.diag.warn(st.pos, msg, st.words[0]);
  const offset = (st: Stmt, type: 'min' | 'max'): number => {
    if (st.words.length !== 2) {
      warn(st, `Missing or too may options for regex_${type}_offset`);
      return 0;
    }
    const r = strtoul(st.words[1] as string);
    if (r.rest !== '') {
      warn(st, `Invalid regex_${type}_offset ${st.words[1]} specified`);
      return 0;
    }
    return r.value;
  };
  const table: KeywordTable = {
    path: (st, pp) => {
      const w = need(st, pp);
      if (w !== undefined) path = w;
    },
    digest: (st, pp) => {
      const w = need(st, pp);
      if (w === undefined) return;
      if (digest !== undefined) return err(st, `Digest '${w}' is a duplicate`);
      if (w.length !== 32) return err(st, `digest '${w}' character length should be 32 rather than ${w.length}`);
      // keepalived converts pairs from the last one back, truncating as it goes.
      for (let i = 15; i >= 0; i--) {
        if (!/^[0-9a-fA-F]{2}$/.test(w.slice(2 * i, 2 * i + 2))) {
          return err(st, `Unable to interpret hex digit in '${w.slice(0, 2 * i + 2)}' at offset ${2 * i}/${2 * i + 1}`);
        }
      }
      digest = w.toLowerCase();
    },
    status_code: (st) => {
      for (const w of st.words.slice(1)) {
        const lo = strtoul(w);
        let hi = lo;
        if (lo.rest.startsWith('-')) hi = strtoul(lo.rest.slice(1));
        if (hi.rest !== '' || lo.value < STATUS_MIN || lo.value > STATUS_MAX || hi.value < STATUS_MIN
          || hi.value > STATUS_MAX || lo.value > hi.value) {
          err(st, `Invalid HTTP_GET status code '${w}'`);
          continue;
        }
        for (let c = lo.value; c <= hi.value; c++) bits[c - STATUS_MIN] = true;
      }
    },
    virtualhost: (st) => {
      if (st.words[1] === undefined) return err(st, 'Missing HTTP_GET virtualhost name');
      virtualhost = st.words[1];
    },
    regex: (st) => {
      const words = shellSplit(st.rest).argv;
      if (words.length !== 1) return warn(st, 'regex missing or too many fields');
      rx.pattern = words[0];
    },
    regex_no_match: () => {
      rx.noMatch = true;
    },
    regex_options: (st) => {
      for (const w of st.words.slice(1)) {
        if (!REGEX_OPTIONS.has(w)) warn(st, `regex_options: unknown option '${w}' ignored`);
        else if (!rx.options.includes(w)) rx.options.push(w);
      }
    },
    regex_min_offset: (st) => {
      rx.minOffset = offset(st, 'min');
    },
    regex_max_offset: (st) => {
      rx.maxOffsetPlus1 = offset(st, 'max') + 1;
    },
    regex_stack: (st) => {
      if (st.words.length !== 3) return warn(st, 'regex_stack requires start and max values');
      const a = strtoul(st.words[1] as string);
      if (a.rest !== '') return warn(st, 'regex_stack invalid start value');
      const b = strtoul(st.words[2] as string);
      if (b.rest !== '') return warn(st, 'regex_stack invalid max value');
      if (a.value > b.value) return warn(st, 'regex stack start cannot exceed max value');
      rx.stack = { start: a.value, max: b.value };
    },
  };
  return { kind: 'table', table, end: (closePos?: SourcePos) => {
    const at = blockEnd(closePos, last);
    if (path === undefined) {
      p.diag.error(at, 'HTTP/SSL_GET checker url has no path - ignoring');
      return;
    }
    if (!bits.includes(true)) bits.fill(true, 200 - STATUS_MIN, 299 - STATUS_MIN + 1);
    const regex = finishRegex(rx, p, at);
    urls.push({
      pos: s.pos,
      path,
      statusCodes: toRanges(bits),
      ...(digest !== undefined ? { digest } : {}),
      ...(virtualhost !== undefined ? { virtualhost } : {}),
      ...(regex !== undefined ? { regex } : {}),
    });
  } };
}

function finishRegex(rx: RegexDraft, p: Parser, at: SourcePos): HttpRegex | undefined {
  if (rx.pattern === undefined) {
    if (rx.options.length > 0 || rx.noMatch || rx.minOffset !== 0 || rx.maxOffsetPlus1 !== 0 || rx.stack !== undefined) {
      p.diag.warn(at, 'regex parameters specified without regex');
    }
    return undefined;
  }
  try {
    new RegExp(rx.pattern, jsFlags(rx.options));
  } catch (e) {
    p.diag.warn(at, `Invalid regex: '${rx.pattern}': ${(e as Error).message}`);
    return undefined;
  }
  let { minOffset, maxOffsetPlus1 } = rx;
  if (maxOffsetPlus1 !== 0 && minOffset >= maxOffsetPlus1) {
    p.diag.warn(at, `regex min offset ${minOffset} > regex_max_offset ${maxOffsetPlus1 - 1} - ignoring`);
    minOffset = 0;
    maxOffsetPlus1 = 0;
  }
  return {
    pattern: rx.pattern,
    options: rx.options,
    noMatch: rx.noMatch,
    minOffset,
    ...(maxOffsetPlus1 !== 0 ? { maxOffset: maxOffsetPlus1 - 1 } : {}),
    ...(rx.stack !== undefined ? { stack: rx.stack } : {}),
  };
}
