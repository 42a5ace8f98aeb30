// The keyword-table parser, after keepalived's lib/parser.c: each level is a table of
// keyword -> handler; a handler that returns a Block opens a sub-level (install_sublevel),
// whose `end` runs at its closing brace (install_level_end_handler).
//
// Error recovery matches keepalived 2.2.7 so `halb -t` names the lines it names:
//  - unknown keyword: "Unknown keyword 'X'", line skipped. If it opens a block,
//    "Unexpected '{' - ignoring": the block's lines are read as keywords of the
//    enclosing level, and the next `}` closes the enclosing level;
//  - at top level a `}` answering an ignored `{` is "Unknown keyword '}'"; any other is
//    "Extra '}' found" (plus "Unknown keyword '}'", as keepalived prints both);
//  - a block keyword whose `{` is neither at the end of its line nor alone on the
//    next: "Missing '{' at beginning of configuration block", named at the next line
//    (not for value blocks such as virtual_ipaddress); the block is entered anyway and
//    its `}` also closes the enclosing block ("Extra '}' found" at top level);
//  - blocks still open at the end: "There are N missing '}'s or extra '{'s" (no line).
import type { Diagnostics, SourcePos } from './diagnostics.js';
import { shellSplit, type Stmt } from './lexer.js';

export interface Parser {
  readonly diag: Diagnostics;
}

/** A sub-level: either a keyword table with a context object, or a list of raw lines. */
export type Block =
  | { readonly kind: 'table'; readonly table: KeywordTable; readonly end?: BlockEnd }
  | { readonly kind: 'lines'; readonly line: (s: Stmt) => void; readonly end?: BlockEnd }
  | { readonly kind: 'skip' };

/** Runs at the block's closing `}` (its position; undefined when the file ended first),
 *  where keepalived's level-end handlers report ("No script set for vrrp_script X"). */
export type BlockEnd = (closePos?: SourcePos) => void;

/** Handlers close over their context; returning a Block opens a sub-level. */
export type Handler = (s: Stmt, p: Parser) => Block | void;
export type KeywordTable = Readonly<Record<string, Handler>>;

export function tableBlock(table: KeywordTable, end?: BlockEnd): Block {
  return end === undefined ? { kind: 'table', table } : { kind: 'table', table, end };
}
export function linesBlock(line: (s: Stmt) => void, end?: BlockEnd): Block {
  return end === undefined ? { kind: 'lines', line } : { kind: 'lines', line, end };
}
/** Consume a block silently (a known block keyword whose arguments were invalid). */
export const skipBlock: Block = { kind: 'skip' };

/** `braceless`: entered without its `{` (keepalived enters it anyway; its `}` then also ends the parent). */
type Frame = { block: Block; pos: SourcePos; skipDepth: number; braceless?: boolean; last: SourcePos };

export function parseStatements(stmts: readonly Stmt[], top: KeywordTable, diag: Diagnostics): void {
  const p: Parser = { diag };
  const stack: Frame[] = [{ block: tableBlock(top), pos: { file: '', line: 0 }, skipDepth: 0, last: { file: '', line: 0 } }];
  let ignoredOpen = 0;
  const unknown = (s: Stmt, word: string): void => {
    diag.error(s.pos, `Unknown keyword '${word}'`, word);
    if (s.opensBlock) {
      diag.error(s.pos, "Unexpected '{' - ignoring", word);
      ignoredOpen++;
    }
  };
  for (let i = 0; i < stmts.length; i++) {
    const s = stmts[i] as Stmt;
    const frame = stack[stack.length - 1] as Frame;
    if (frame.block.kind === 'skip') {
      if (s.opensBlock) frame.skipDepth++;
      else if (s.closesBlock) {
        if (frame.skipDepth === 0) stack.pop();
        else frame.skipDepth--;
      }
      continue;
    }
    if (s.closesBlock) {
      if (stack.length > 1) {
        stack.pop();
        runEnd(frame.block, s.pos);
        if (frame.braceless === true) {
          // keepalived 2.2.7: the `}` of a block entered without `{` closes its parent too.
          if (stack.length > 1) runEnd((stack.pop() as Frame).block, s.pos);
          else {
            diag.error(s.pos, "Extra '}' found", '}');
            diag.error(s.pos, "Unknown keyword '}'", '}');
          }
        }
      } else if (ignoredOpen > 0) {
        ignoredOpen--;
        diag.error(s.pos, "Unknown keyword '}'", '}');
      } else {
        diag.error(s.pos, "Extra '}' found", '}');
        diag.error(s.pos, "Unknown keyword '}'", '}');
      }
      continue;
    }
    if (s.words.length === 0) {
      // A lone `{` nobody asked for.
      unknown(s, '{');
      continue;
    }
    const word = s.words[0] as string;
    frame.last = s.pos;
    if (frame.block.kind === 'lines') {
      if (s.opensBlock) {
        diag.error(s.pos, `Unexpected '{' - ignoring`, word);
        ignoredOpen++;
      }
      frame.block.line(s);
      continue;
    }
    const handler = Object.hasOwn(frame.block.table, word) ? frame.block.table[word] : undefined;
    if (handler === undefined) {
      unknown(s, word);
      continue;
    }
    const sub = handler(s, p);
    if (sub === undefined) {
      if (s.opensBlock) {
        diag.error(s.pos, `Unexpected '{' - ignoring`, word);
        ignoredOpen++;
      }
      continue;
    }
    if (s.opensBlock) {
      stack.push({ block: sub, pos: s.pos, skipDepth: 0, last: s.pos });
      continue;
    }
    const next = stmts[i + 1];
    if (next !== undefined && next.words.length === 0 && next.opensBlock) {
      i++;
      stack.push({ block: sub, pos: s.pos, skipDepth: 0, last: s.pos });
      continue;
    }
    // keepalived complains (value blocks read by alloc_value_block do not) and enters the block anyway.
    if (sub.kind !== 'lines') diag.error(next?.pos ?? s.pos, "Missing '{' at beginning of configuration block", word);
    stack.push({ block: sub, pos: s.pos, skipDepth: 0, braceless: true, last: s.pos });
  }
  const missing = stack.length - 1 + ignoredOpen;
  // Blocks left open at the end close where their last statement was.
  while (stack.length > 1) {
    const f = stack.pop() as Frame;
    runEnd(f.block, f.last);
  }
  if (missing > 0) diag.error(undefined, `There are ${missing} missing '}'s or extra '{'s`);
}

function runEnd(block: Block, closePos?: SourcePos): void {
  if (block.kind !== 'skip') block.end?.(closePos);
}

/** argv of a script keyword (notify*, script, misc_path, ...), with keepalived's shell-like quoting. */
export function scriptArgv(s: Stmt, p: Parser): string[] | undefined {
  const r = shellSplit(s.rest);
  if (r.error !== undefined) p.diag.error(s.pos, `${s.words[0]}: ${r.error}`, s.words[0]);
  if (r.argv.length === 0) {
    p.diag.error(s.pos, `${s.words[0]}: no script given`, s.words[0]);
    return undefined;
  }
  return r.argv;
}
