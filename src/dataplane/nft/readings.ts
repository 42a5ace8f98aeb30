// What the kernel says, turned into data the engine can use: named counters and set
// elements from `nft -j list`, connection entries from /proc/net/nf_conntrack. Pure.
import { canonicalAddress } from '../model.js';

export interface CounterValue {
  readonly packets: number;
  readonly bytes: number;
}

export interface SetElement {
  /** Address, or [address, port] for flow sets. */
  readonly key: string | readonly [string, number];
  /** Seconds left before the element expires. */
  readonly expiresS: number;
}

export interface TableReading {
  readonly counters: ReadonlyMap<string, CounterValue>;
  /** Set name -> elements (only sets that were listed with their elements). */
  readonly sets: ReadonlyMap<string, readonly SetElement[]>;
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

function elementKey(val: unknown): SetElement['key'] | undefined {
  if (typeof val === 'string') return val;
  const c = (val as { concat?: unknown[] } | null)?.concat;
  if (Array.isArray(c) && typeof c[0] === 'string' && typeof c[1] === 'number') return [c[0], c[1]];
  return undefined;
}

/** Counters and set elements from the objects of `nft -j list table|counters|set ...`. */
export function parseListing(objs: readonly Record<string, unknown>[]): TableReading {
  const counters = new Map<string, CounterValue>();
  const sets = new Map<string, SetElement[]>();
  for (const o of objs) {
    const c = o.counter as { name?: unknown; packets?: unknown; bytes?: unknown } | undefined;
    if (c !== undefined && typeof c.name === 'string') counters.set(c.name, { packets: num(c.packets), bytes: num(c.bytes) });
    const s = o.set as { name?: unknown; elem?: unknown } | undefined;
    if (s !== undefined && typeof s.name === 'string') {
      const elems: SetElement[] = [];
      for (const e of Array.isArray(s.elem) ? s.elem : []) {
        // An element with a timeout is {"elem": {"val": ..., "expires": N}}; a bare value otherwise.
        const inner = (e as { elem?: { val?: unknown; expires?: unknown } } | null)?.elem;
        const key = elementKey(inner !== undefined ? inner.val : e);
        if (key !== undefined) elems.push({ key, expiresS: num(inner?.expires) });
      }
      sets.set(s.name, elems);
    }
  }
  return { counters, sets };
}

export function mergeReadings(...rs: readonly TableReading[]): TableReading {
  const counters = new Map<string, CounterValue>();
  const sets = new Map<string, readonly SetElement[]>();
  for (const r of rs) {
    for (const [k, v] of r.counters) counters.set(k, v);
    for (const [k, v] of r.sets) sets.set(k, v);
  }
  return { counters, sets };
}

export interface ConntrackEntry {
  readonly family: 4 | 6;
  readonly protocol: string;
  /** Seconds before the entry times out. */
  readonly timeoutS: number;
  /** TCP state as conntrack names it (ESTABLISHED, TIME_WAIT, ...); undefined for UDP. */
  readonly state?: string;
  readonly original: { readonly src: string; readonly dst: string; readonly sport: number; readonly dport: number };
  readonly reply: { readonly src: string; readonly dst: string; readonly sport: number; readonly dport: number };
}

function address(text: string): string {
  try {
    return canonicalAddress(text);
  } catch {
    return text;
  }
}

/**
 * /proc/net/nf_conntrack, e.g.
 *   ipv4 2 tcp 6 431999 ESTABLISHED src=A dst=VIP sport=P dport=80 src=RS dst=A sport=80 dport=P [ASSURED] mark=0 use=2
 * Lines it cannot read (other protocols without ports) are skipped.
 */
export function parseConntrack(text: string): ConntrackEntry[] {
  const out: ConntrackEntry[] = [];
  for (const line of text.split('\n')) {
    const t = line.trim().split(/\s+/);
    if (t.length < 6 || (t[0] !== 'ipv4' && t[0] !== 'ipv6')) continue;
    const state = t[5] !== undefined && !t[5].includes('=') ? t[5] : undefined;
    const tuples: Record<string, string>[] = [];
    for (const tok of t.slice(state === undefined ? 5 : 6)) {
      const eq = tok.indexOf('=');
      if (eq < 0) continue;
      const k = tok.slice(0, eq);
      if (k === 'src') tuples.push({});
      const cur = tuples[tuples.length - 1];
      if (cur !== undefined && cur[k] === undefined && (k === 'src' || k === 'dst' || k === 'sport' || k === 'dport')) cur[k] = tok.slice(eq + 1);
    }
    const [o, r] = tuples;
    if (o?.sport === undefined || r?.sport === undefined || o.src === undefined || o.dst === undefined || r.src === undefined || r.dst === undefined) continue;
    out.push({
      family: t[0] === 'ipv6' ? 6 : 4,
      protocol: (t[2] ?? '').toUpperCase(),
      timeoutS: Number(t[4]) || 0,
      ...(state !== undefined ? { state } : {}),
      original: { src: address(o.src), dst: address(o.dst), sport: Number(o.sport), dport: Number(o.dport) },
      reply: { src: address(r.src), dst: address(r.dst), sport: Number(r.sport), dport: Number(r.dport) },
    });
  }
  return out;
}
