// ~SEQ(var, [start, [step,]] end) and ~LST(var, v1, v2, ...) / ~LST({a,b},{1,2},{3,4}):
// repeat the rest of the line once per value with $var bound. Several on one line nest
// (the first is the outermost loop). ~SEQx formats the value in hex.
import type { ParamTable } from './params.js';

/** Lines one ~SEQ/~LST line may expand to, nested loops included. */
export const MAX_SEQUENCE_LINES = 100_000;

export interface SeqExpansion {
  readonly lines: string[];
  readonly error?: string;
}

type Binding = Array<[string, string]>;

function splitArgs(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '{') depth++;
    else if (s[i] === '}') depth--;
    else if (s[i] === ',' && depth === 0) { out.push(s.slice(start, i).trim()); start = i + 1; }
  }
  out.push(s.slice(start).trim());
  return out;
}

function unbrace(s: string): string[] {
  return s.startsWith('{') && s.endsWith('}') ? splitArgs(s.slice(1, -1)) : [s];
}

/** Parse a leading ~SEQ/~LST; returns the bindings and the rest of the line, or an error. */
function parseHead(line: string): { bindings: Binding[]; rest: string } | { error: string } | undefined {
  const m = /^~(SEQx?|LST)\(/.exec(line);
  if (!m) return undefined;
  let depth = 0;
  let close = -1;
  for (let i = m[0].length - 1; i < line.length; i++) {
    if (line[i] === '(') depth++;
    else if (line[i] === ')') { depth--; if (depth === 0) { close = i; break; } }
  }
  if (close === -1) return { error: `missing ')' in ~${m[1]}` };
  const args = splitArgs(line.slice(m[0].length, close));
  const rest = line.slice(close + 1).trim();
  if (m[1] === 'LST') {
    const names = unbrace(args[0] ?? '');
    if (names.some((n) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(n)) || args.length < 2) {
      return { error: `~LST needs a variable name and at least one value` };
    }
    const bindings = args.slice(1).map((v) => {
      const vals = unbrace(v);
      return names.map((n, i): [string, string] => [n, vals[i] ?? '']);
    });
    return { bindings, rest };
  }
  const hex = m[1] === 'SEQx';
  const [name = '', ...nums] = args;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return { error: `~${m[1]} needs a variable name` };
  const vals = nums.map((n) => (n === '' ? Number.NaN : Number(n)));
  if (vals.length < 1 || vals.length > 3 || vals.some((v) => !Number.isInteger(v))) {
    return { error: `~${m[1]}(${args.join(', ')}) needs 1 to 3 integers after the variable` };
  }
  let start = 1;
  let step: number | undefined;
  let end: number;
  if (vals.length === 1) end = vals[0] as number;
  else if (vals.length === 2) [start, end] = vals as [number, number];
  else [start, step, end] = vals as [number, number, number];
  step ??= end >= start ? 1 : -1;
  if (step === 0 || (step > 0 && end < start) || (step < 0 && end > start)) {
    return { error: `~${m[1]}(${args.join(', ')}) never reaches its end` };
  }
  const bindings: Binding[] = [];
  for (let v = start; step > 0 ? v <= end : v >= end; v += step) {
    if (bindings.length > 100_000) return { error: `~${m[1]} expands to too many lines` };
    bindings.push([[name, hex ? v.toString(16) : String(v)]]);
  }
  return { bindings, rest };
}

/**
 * Expand ~SEQ/~LST at the start of `line`. `subst` substitutes parameters with the
 * loop variables bound (they are bound in `params` while it runs).
 */
export function expandSequence(line: string, params: ParamTable, subst: (text: string) => string, budget = MAX_SEQUENCE_LINES): SeqExpansion | undefined {
  const head = parseHead(line);
  if (head === undefined) return undefined;
  if ('error' in head) return { lines: [], error: head.error };
  const lines: string[] = [];
  let error: string | undefined;
  for (const binding of head.bindings) {
    const run = (i: number): void => {
      if (error !== undefined) return;
      if (i === binding.length) {
        const inner = expandSequence(head.rest, params, subst, MAX_SEQUENCE_LINES - lines.length);
        if (inner === undefined) lines.push(subst(head.rest));
        else {
          lines.push(...inner.lines);
          if (inner.error !== undefined) error = inner.error;
        }
        if (lines.length >= budget) error = `~SEQ/~LST expands to more than ${MAX_SEQUENCE_LINES} lines - truncated`;
        return;
      }
      const [n, v] = binding[i] as [string, string];
      params.withBinding(n, v, () => run(i + 1));
    };
    run(0);
    if (error !== undefined) break;
  }
  return error === undefined ? { lines } : { lines, error };
}
