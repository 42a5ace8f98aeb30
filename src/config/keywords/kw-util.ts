// Small helpers shared by the VRRP-side keyword tables: keepalived's stop on a missing
// parameter, its check_true_false(), set_value() and value blocks (read_value_block).
import type { SourcePos } from '../diagnostics.js';
import type { Stmt } from '../lexer.js';
import { linesBlock, skipBlock, type Block, type BlockEnd, type Handler, type Parser } from '../parser.js';
import { readScript, type ScriptSpec } from '../readers.js';

/**
 * keepalived stops reading the configuration (exit 2) when a handler asks for a word the
 * line does not have (lib/parser.c strvec_slot): we report it as fatal, with its message.
 */
export function needArg(s: Stmt, p: Parser, i = 1): boolean {
  if (s.words[i] !== undefined) return true;
  p.diag.fatal(
    s.pos,
    `*** Configuration line starting \`${s.words[0] ?? ''}\` is missing a parameter after keyword \`${s.words[i - 1] ?? ''}\` at word position ${i + 1}`,
    s.words[0],
  );
  return false;
}

/** keepalived's check_true_false(): undefined for anything else. */
export function trueFalse(w: string): boolean | undefined {
  const l = w.toLowerCase();
  if (l === 'true' || l === 'on' || l === 'yes') return true;
  if (l === 'false' || l === 'off' || l === 'no') return false;
  return undefined;
}

/** `KEYWORD [<BOOL>]`: alone means true; a bad value is reported with `bad(word)` and ignored. */
export function optBool(s: Stmt, p: Parser, bad: (w: string) => string): boolean | undefined {
  const w = s.words[1];
  if (w === undefined) return true;
  const v = trueFalse(w);
  if (v === undefined) p.diag.error(s.pos, bad(w), s.words[0]);
  return v;
}

/** keepalived's set_value(): the words after the keyword, joined by single spaces. */
export function restValue(s: Stmt): string {
  return s.words.slice(1).join(' ');
}

/** A block whose lines are plain words (read_value_block / alloc_value_block). */
export function wordsBlock(onLine: (words: string[], s: Stmt) => void, end?: BlockEnd): Block {
  return linesBlock((s) => onLine([...s.words], s), end);
}

/** A script keyword's value, or undefined (already reported). */
export function scriptValue(s: Stmt, p: Parser): ScriptSpec | undefined {
  return readScript(s, p);
}

/** `user [group]` or `user:group`, as keepalived's set_script_uid_gid() reads them. */
export function userGroup(words: readonly string[]): { user: string; group?: string } | undefined {
  const [first, second] = words;
  if (first === undefined) return undefined;
  const colon = first.indexOf(':');
  if (colon >= 0) {
    const g = first.slice(colon + 1);
    return g === '' ? { user: first.slice(0, colon) } : { user: first.slice(0, colon), group: g };
  }
  return second === undefined ? { user: first } : { user: first, group: second };
}

/** Seconds (possibly fractional) to whole milliseconds with microsecond precision kept. */
export function secondsToMs(v: number): number {
  return Math.round(v * 1_000_000) / 1000;
}

/** The position keepalived names for a level-end message: the closing `}` when known. */
export function endPos(closePos: SourcePos | undefined, open: SourcePos): SourcePos {
  return closePos ?? open;
}

/**
 * The `group { NAME ... }` list of vrrp_sync_group and track_group: given once (keepalived
 * says "Group list already specified for sync group X" — for track groups too), members
 * appended, an empty list warned about at its closing brace.
 */
export function groupListKeyword(name: string, kind: 'sync' | 'track', members: string[]): Handler {
  let seen = false;
  return (gs, gp) => {
    if (seen) {
      gp.diag.error(gs.pos, `Group list already specified for sync group ${name}`, gs.words[0]);
      return skipBlock;
    }
    seen = true;
    return wordsBlock((words) => members.push(...words), (closePos) => {
      if (members.length === 0) gp.diag.error(endPos(closePos, gs.pos), `Warning - ${kind} group ${name} has empty group block`, gs.words[0]);
    });
  };
}
