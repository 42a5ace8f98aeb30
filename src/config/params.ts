// `$NAME=value` parameters and their substitution (keepalived lib/parser.c):
// lazy and recursive (a value is expanded when used, so later redefinitions of the
// names it mentions count), undefined names left untouched so `$1` in scripts
// survives, multi-line values continued with a trailing backslash, and the built-ins
// ${_PWD} ${_INSTANCE} ${_RANDOM [MIN [MAX]]} ${_ENV X} ${_HASH} ${_BANG}.

export interface ParamContext {
  /** Directory of the file being read, for ${_PWD}. */
  readonly pwd: string;
  /** The config id (-i), for ${_INSTANCE}. */
  readonly instance: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Deterministic random source in [0, 1) (seeded by random_seed / tests). */
  readonly random: () => number;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_DEPTH = 32;
/**
 * A substituted line may not grow past this. keepalived reads lines into a 1024-byte
 * buffer; we allow multi-line parameters holding whole blocks, but a self-doubling
 * definition must end in a diagnostic, not in an exhausted heap.
 */
export const MAX_EXPANDED_CHARS = 256 * 1024;

/** Thrown inside substitution only; the pre-processor turns it into a diagnostic. */
export class ExpansionLimitError extends Error {
  constructor(what: string) {
    super(what);
    this.name = 'ExpansionLimitError';
  }
}

export class ParamTable {
  readonly #defs = new Map<string, string>();

  /** Parse `$NAME=value`; returns the name or undefined when the line is not a definition. */
  static parseDefinition(line: string): { name: string; value: string } | undefined {
    const m = /^\$([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) return undefined;
    return { name: m[1] as string, value: (m[2] as string).trim() };
  }

  define(name: string, value: string): void {
    this.#defs.set(name, value);
  }
  has(name: string): boolean {
    return this.#defs.has(name);
  }
  get(name: string): string | undefined {
    return this.#defs.get(name);
  }
  /** Snapshot for ~SEQ/~LST, which bind loop variables temporarily. */
  withBinding<T>(name: string, value: string, fn: () => T): T {
    const had = this.#defs.get(name);
    this.#defs.set(name, value);
    try {
      return fn();
    } finally {
      if (had === undefined) this.#defs.delete(name);
      else this.#defs.set(name, had);
    }
  }

  /**
   * Substitute every known `$NAME` (followed by a non-name character) and `${NAME}` /
   * `${_BUILTIN args}` in `text`. The result may hold newlines when a multi-line
   * parameter was used; the caller splits it into lines.
   */
  substitute(text: string, ctx: ParamContext, depth = 0): string {
    if (!text.includes('$')) return text;
    let out = '';
    let i = 0;
    let changed = false;
    while (i < text.length) {
      const c = text[i];
      if (c !== '$') { out += c; i++; continue; }
      if (text[i + 1] === '{') {
        const close = text.indexOf('}', i + 2);
        if (close !== -1) {
          const inner = text.slice(i + 2, close).trim();
          const value = this.#lookup(inner, ctx);
          if (value !== undefined) {
            out += value;
            i = close + 1;
            changed = true;
            if (out.length > MAX_EXPANDED_CHARS) throw new ExpansionLimitError(`parameter expansion exceeds ${MAX_EXPANDED_CHARS} characters`);
            continue;
          }
        }
        out += c;
        i++;
        continue;
      }
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1));
      if (m) {
        const value = this.#defs.get(m[0]) ?? builtin(m[0], [], ctx);
        if (value !== undefined) {
          out += value;
          i += 1 + m[0].length;
          changed = true;
          if (out.length > MAX_EXPANDED_CHARS) throw new ExpansionLimitError(`parameter expansion exceeds ${MAX_EXPANDED_CHARS} characters`);
          continue;
        }
      }
      out += c;
      i++;
      if (out.length > MAX_EXPANDED_CHARS) throw new ExpansionLimitError(`parameter expansion exceeds ${MAX_EXPANDED_CHARS} characters`);
    }
    if (out.length > MAX_EXPANDED_CHARS) throw new ExpansionLimitError(`parameter expansion exceeds ${MAX_EXPANDED_CHARS} characters`);
    if (changed && depth >= MAX_DEPTH) throw new ExpansionLimitError(`parameters still refer to each other after ${MAX_DEPTH} rounds of substitution`);
    return changed ? this.substitute(out, ctx, depth + 1) : out;
  }

  #lookup(inner: string, ctx: ParamContext): string | undefined {
    const [name = '', ...args] = inner.split(/\s+/);
    if (!NAME.test(name)) return undefined;
    if (args.length === 0 && this.#defs.has(name)) return this.#defs.get(name);
    return builtin(name, args, ctx);
  }
}

function builtin(name: string, args: string[], ctx: ParamContext): string | undefined {
  switch (name) {
    case '_PWD': return ctx.pwd;
    case '_INSTANCE': return ctx.instance;
    case '_HASH': return '#';
    case '_BANG': return '!';
    case '_ENV': return args[0] === undefined ? undefined : (ctx.env[args[0]] ?? '');
    case '_RANDOM': {
      // keepalived: 0..32767 by default; MIN only => MIN..32767; MIN MAX => MIN..MAX.
      const min = args[0] !== undefined ? Number.parseInt(args[0], 10) : 0;
      const max = args[1] !== undefined ? Number.parseInt(args[1], 10) : 32767;
      if (!Number.isFinite(min) || !Number.isFinite(max) || max < min) return undefined;
      return String(min + Math.floor(ctx.random() * (max - min + 1)));
    }
    default: return undefined;
  }
}

/** A small deterministic PRNG (mulberry32) so ${_RANDOM} honours random_seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
