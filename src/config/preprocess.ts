// The pre-processor: turns a keepalived.conf (and everything it includes) into a flat
// list of statements, each carrying the file and line its tokens came from.
// Order per line, as keepalived's read_line(): strip comments, detect `include`
// (so includes can be neither conditional nor parameterised), `@id` / `@^id`
// conditionals, `$NAME=` definitions (multi-line with a trailing backslash),
// ~SEQ / ~LST repetition, parameter substitution, then the brace split.
import { posix } from 'node:path';
import type { Diagnostics, SourcePos } from './diagnostics.js';
import { decomment, splitStatements, type Stmt } from './lexer.js';
import { expandBraces, globPath, hasWildcard } from './glob.js';
import { ExpansionLimitError, ParamTable, type ParamContext } from './params.js';
import { expandSequence } from './sequence.js';
import type { ConfigFs } from './source.js';

export interface PreprocessOptions {
  readonly fs: ConfigFs;
  /** `-i ID`; keepalived's default is the host name up to the first dot. */
  readonly configId: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly random: () => number;
}

/** include_check options (global_defs), saved and restored per included file. */
interface IncludeCheck {
  readable: boolean;
  match: boolean;
  wildcardMatch: boolean;
  braceMatch: boolean;
}

const MAX_LINE = 1024; // keepalived MAXBUF
const MAX_INCLUDE_DEPTH = 32;
const NO_CHECKS: IncludeCheck = { readable: false, match: false, wildcardMatch: false, braceMatch: false };
const ALL_CHECKS: IncludeCheck = { readable: true, match: true, wildcardMatch: true, braceMatch: true };

export function parseIncludeCheck(args: readonly string[], current: IncludeCheck): IncludeCheck | string {
  if (args.length === 0) return { ...ALL_CHECKS };
  const next = { ...current };
  const names: Record<string, keyof IncludeCheck> = {
    readable: 'readable', match: 'match', wildcard_match: 'wildcardMatch', brace_match: 'braceMatch',
  };
  let explicit = false;
  for (const raw of args) {
    const sign = raw[0] === '+' || raw[0] === '-' ? raw[0] : '';
    const name = sign ? raw.slice(1) : raw;
    const key = names[name];
    if (key === undefined) return `unknown include_check option '${raw}'`;
    if (sign === '') {
      if (!explicit) Object.assign(next, NO_CHECKS);
      explicit = true;
      next[key] = true;
    } else next[key] = sign === '+';
  }
  return next;
}

export class Preprocessor {
  readonly #opts: PreprocessOptions;
  readonly #diag: Diagnostics;
  readonly #params = new ParamTable();
  readonly #out: Stmt[] = [];
  #includeCheck: IncludeCheck = { ...NO_CHECKS };
  readonly #stack: string[] = [];
  /** Every file read, for reload-time change detection and --dump-config. */
  readonly files: string[] = [];

  constructor(opts: PreprocessOptions, diag: Diagnostics) {
    this.#opts = opts;
    this.#diag = diag;
  }

  run(mainFile: string): Stmt[] {
    if (!this.#opts.fs.exists(mainFile)) {
      this.#diag.fatal(undefined, `Configuration file '${mainFile}' does not exist`);
      return this.#out;
    }
    this.#readFile(mainFile, undefined);
    return this.#out;
  }

  #readFile(file: string, from: SourcePos | undefined): void {
    if (this.#stack.includes(file) || this.#stack.length >= MAX_INCLUDE_DEPTH) {
      this.#diag.error(from, `include of '${file}' would recurse (include chain: ${[...this.#stack, file].join(' -> ')})`);
      return;
    }
    let text: string;
    try {
      text = this.#opts.fs.readFile(file);
    } catch (e) {
      const code = (e as { code?: string }).code ?? 'error';
      if (from === undefined) this.#diag.fatal(undefined, `Unable to open configuration file '${file}' (${code})`);
      else this.#diag.error(from, `Unable to open included file '${file}' (${code})`);
      return;
    }
    this.files.push(file);
    this.#stack.push(file);
    const savedCheck = this.#includeCheck;
    const ctx: ParamContext = {
      pwd: posix.dirname(file),
      instance: this.#opts.configId ?? '',
      env: this.#opts.env,
      random: this.#opts.random,
    };
    const lines = text.split('\n');
    let multi: { name: string; value: string[] } | undefined;
    for (let idx = 0; idx < lines.length; idx++) {
      const pos: SourcePos = { file, line: idx + 1 };
      const raw = lines[idx] as string;
      if (raw.includes('\0')) {
        this.#diag.error(pos, 'line contains a NUL character - ignoring');
        continue;
      }
      // UTF-16 length * 3 bounds the UTF-8 length: only long lines need the exact count.
      if (raw.length * 3 > MAX_LINE && Buffer.byteLength(raw) > MAX_LINE) {
        this.#diag.error(pos, `line too long - ignoring (at most ${MAX_LINE} bytes)`);
        continue;
      }
      const text1 = decomment(raw).trim();
      if (multi !== undefined) {
        const cont = text1.endsWith('\\');
        multi.value.push(cont ? text1.slice(0, -1).trim() : text1);
        if (!cont) {
          this.#params.define(multi.name, multi.value.filter((l) => l !== '').join('\n'));
          multi = undefined;
        }
        continue;
      }
      if (text1 === '') continue;
      const inc = text1.startsWith('include') ? /^(include[rmwba]?)\s+(.+)$/.exec(text1) : null;
      if (inc) {
        this.#include(inc[1] as string, (inc[2] as string).trim(), pos);
        continue;
      }
      let line = text1;
      if (line.startsWith('@')) {
        const m = /^@(\^?)(\S+)\s*(.*)$/.exec(line);
        if (!m) continue;
        const id = this.#opts.configId;
        const matches = id !== undefined && id !== '' && m[2] === id;
        const keep = id !== undefined && id !== '' && (m[1] === '^' ? !matches : matches);
        if (!keep) continue;
        line = (m[3] as string).trim();
        if (line === '') continue;
      }
      const def = line.startsWith('$') ? ParamTable.parseDefinition(line) : undefined;
      if (def) {
        if (def.value.endsWith('\\')) multi = { name: def.name, value: [def.value.slice(0, -1).trim()] };
        else this.#params.define(def.name, def.value);
        continue;
      }
      if (line.startsWith('include_check')) {
        const args = line.split(/\s+/).slice(1);
        const r = parseIncludeCheck(args, this.#includeCheck);
        if (typeof r === 'string') this.#diag.error(pos, r, 'include_check');
        else this.#includeCheck = r;
      }
      const subst = (t: string): string => this.#params.substitute(t, ctx);
      let expanded: string[];
      try {
        const seq = line.startsWith('~') ? expandSequence(line, this.#params, subst) : undefined;
        if (seq?.error !== undefined) this.#diag.error(pos, seq.error);
        expanded = seq === undefined ? [subst(line)] : seq.lines;
      } catch (e) {
        if (!(e instanceof ExpansionLimitError)) throw e;
        this.#diag.error(pos, `${e.message} - line ignored`);
        continue;
      }
      for (const chunk of expanded) {
        for (const l of chunk.split('\n')) {
          // A substituted value may itself start with an include or a definition only in
          // keepalived's multi-line parameters; treat those lines like file lines.
          const t = l.trim();
          if (t === '') continue;
          const d2 = t.startsWith('$') && chunk.includes('\n') ? ParamTable.parseDefinition(t) : undefined;
          if (d2) { this.#params.define(d2.name, d2.value); continue; }
          this.#out.push(...splitStatements(t, pos));
        }
      }
    }
    if (multi !== undefined) {
      this.#params.define(multi.name, multi.value.join('\n'));
    }
    this.#includeCheck = savedCheck;
    this.#stack.pop();
  }

  #include(kind: string, pattern: string, pos: SourcePos): void {
    const checks: IncludeCheck =
      kind === 'includea' ? ALL_CHECKS
        : kind === 'includer' ? { ...this.#includeCheck, readable: true }
          : kind === 'includem' ? { ...this.#includeCheck, match: true }
            : kind === 'includew' ? { ...this.#includeCheck, wildcardMatch: true }
              : kind === 'includeb' ? { ...this.#includeCheck, braceMatch: true }
                : this.#includeCheck;
    const dir = posix.dirname(pos.file);
    const unq = pattern.replace(/^"(.*)"$/, '$1');
    const alternatives = expandBraces(unq);
    const found: string[] = [];
    for (const alt of alternatives) {
      const full = alt.startsWith('/') ? alt : posix.join(dir, alt);
      const matched = hasWildcard(alt) ? globPath(full, this.#opts.fs) : (this.#opts.fs.exists(full) ? [full] : []);
      if (matched.length === 0) {
        if (checks.wildcardMatch && hasWildcard(alt)) this.#diag.error(pos, `include '${alt}' - no file matches the wildcard`, kind);
        else if (checks.braceMatch && alternatives.length > 1) this.#diag.error(pos, `include '${alt}' - no file matches this brace alternative`, kind);
      }
      found.push(...matched);
    }
    if (found.length === 0 && checks.match) this.#diag.error(pos, `include '${unq}' - no file matches`, kind);
    for (const f of found) {
      if (this.#opts.fs.isDirectory(f)) continue;
      if (!this.#opts.fs.isReadable(f)) {
        if (checks.readable) this.#diag.error(pos, `include '${f}' is not readable`, kind);
        continue;
      }
      this.#readFile(f, pos);
    }
  }
}
