// The two tokenisers of keepalived.conf (lib/parser.c):
//  - general keywords: split on whitespace; a word that *starts* with `"` runs to the
//    next `"` (quotes dropped, spaces kept); `'` is not special; `{` and `}` outside
//    quotes are tokens of their own, so `virtual_ipaddress { 192.0.2.1 }` is three
//    statements, as keepalived splits the line at each unquoted brace;
//  - script keywords (notify*, script, misc_path, ...): a shell-like tokenizer over the
//    raw text (see shellSplit).
import type { SourcePos } from './diagnostics.js';

/** One statement: the words of a line up to and including an opening `{`, or a lone `}`. */
export interface Stmt {
  readonly pos: SourcePos;
  readonly words: readonly string[];
  /** The statement ended with `{`. */
  readonly opensBlock: boolean;
  /** The statement is a lone `}`. */
  readonly closesBlock: boolean;
  /** Raw text of the statement after its first word (for the script tokenizer), braces excluded. */
  readonly rest: string;
}

/** Strip `#` / `!` comments outside double quotes; `\#` and `\!` stand for the characters. */
export function decomment(line: string): string {
  let out = '';
  let inQuote = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (c === '"') inQuote = !inQuote;
    if (!inQuote && c === '\\' && (line[i + 1] === '#' || line[i + 1] === '!')) {
      out += line[i + 1];
      i++;
      continue;
    }
    if (!inQuote && (c === '#' || c === '!')) break;
    out += c;
  }
  return out;
}

type Piece = { kind: 'word' | 'open' | 'close'; text: string; start: number; end: number };

function pieces(text: string): Piece[] {
  const out: Piece[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i] as string;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === '\v' || c === '\f') { i++; continue; }
    if (c === '{') { out.push({ kind: 'open', text: '{', start: i, end: i + 1 }); i++; continue; }
    if (c === '}') { out.push({ kind: 'close', text: '}', start: i, end: i + 1 }); i++; continue; }
    const start = i;
    if (c === '"') {
      const close = text.indexOf('"', i + 1);
      const stop = close === -1 ? n : close;
      out.push({ kind: 'word', text: text.slice(i + 1, stop), start, end: Math.min(n, stop + 1) });
      i = stop + 1;
      continue;
    }
    let word = '';
    while (i < n) {
      const d = text[i] as string;
      if (d === ' ' || d === '\t' || d === '\r' || d === '\n' || d === '\v' || d === '\f' || d === '{' || d === '}') break;
      if (d === '"') {
        // A quote inside a word: keepalived keeps the word going and the quoted part verbatim.
        const close = text.indexOf('"', i + 1);
        const stop = close === -1 ? n : close;
        word += text.slice(i + 1, stop);
        i = stop + 1;
        continue;
      }
      word += d;
      i++;
    }
    out.push({ kind: 'word', text: word, start, end: i });
  }
  return out;
}

/** Split one decommented logical line into statements. */
export function splitStatements(text: string, pos: SourcePos): Stmt[] {
  const stmts: Stmt[] = [];
  let words: string[] = [];
  let firstEnd = -1;
  let lastEnd = -1;
  const flush = (opens: boolean): void => {
    if (words.length === 0 && !opens) return;
    const rest = firstEnd >= 0 ? text.slice(firstEnd, lastEnd).trim() : '';
    stmts.push({ pos, words, opensBlock: opens, closesBlock: false, rest });
    words = [];
    firstEnd = -1;
    lastEnd = -1;
  };
  for (const p of pieces(text)) {
    if (p.kind === 'word') {
      if (words.length === 0) firstEnd = p.end;
      words.push(p.text);
      lastEnd = p.end;
    } else if (p.kind === 'open') {
      flush(true);
    } else {
      flush(false);
      stmts.push({ pos, words: ['}'], opensBlock: false, closesBlock: true, rest: '' });
    }
  }
  flush(false);
  return stmts;
}

export interface ShellSplit {
  readonly argv: string[];
  readonly error?: string;
}

const escapes: Record<string, string> = { a: '\x07', b: '\b', E: '\x1b', e: '\x1b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/**
 * keepalived's shell-like tokenizer for script keywords: `"..."` or `'...'` anywhere in a
 * word, backslash escapes (\a \b \E \f \n \r \t \v \nnn octal, \xXX hex, \cC control,
 * \C = literal C). `abcd" efg h jkl "mnop` is the single word `abcd efg h jkl mnop`.
 */
export function shellSplit(text: string): ShellSplit {
  const argv: string[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && /\s/.test(text[i] as string)) i++;
    if (i >= n) break;
    let word = '';
    let quote: '"' | "'" | undefined;
    while (i < n) {
      const c = text[i] as string;
      if (quote === undefined && /\s/.test(c)) break;
      if (quote === undefined && (c === '"' || c === "'")) { quote = c; i++; continue; }
      if (quote !== undefined && c === quote) { quote = undefined; i++; continue; }
      if (c === '\\' && quote !== "'" && i + 1 < n) {
        const e = text[i + 1] as string;
        if (e in escapes) { word += escapes[e]; i += 2; continue; }
        if (e >= '0' && e <= '7') {
          const m = /^[0-7]{1,3}/.exec(text.slice(i + 1)) as RegExpExecArray;
          word += String.fromCharCode(parseInt(m[0], 8) & 0xff);
          i += 1 + m[0].length;
          continue;
        }
        if (e === 'x') {
          const m = /^[0-9a-fA-F]{1,2}/.exec(text.slice(i + 2));
          if (m) { word += String.fromCharCode(parseInt(m[0], 16)); i += 2 + m[0].length; continue; }
        }
        if (e === 'c' && i + 2 < n) {
          word += String.fromCharCode((text.charCodeAt(i + 2) & 0x1f));
          i += 3;
          continue;
        }
        word += e;
        i += 2;
        continue;
      }
      word += c;
      i++;
    }
    if (quote !== undefined) return { argv: [...argv, word], error: `unterminated ${quote} quote` };
    argv.push(word);
  }
  return { argv };
}
