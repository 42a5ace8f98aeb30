// Step 2b: the commands that turn the tables the kernel holds (as last applied) into the
// tables wanted, for one `nft -j -f -` transaction. Pure.
//
// Named sets (DR flows, persistence templates) and named counters survive an update:
// they are only added when new and deleted when gone, so established DR flows keep
// their real server and counters keep counting. A chain is rewritten (flush + add) only
// when its rules changed, or when it refers to a set, chain or counter that is being
// deleted or replaced; other chains are left alone, numgen state and all. The first
// transaction replaces whatever an earlier run left ("add table; delete table; add
// table"), so a crash never leaves stale rules behind.
import {
  chainObj, counterObj, ruleObj, setObj, tableObj,
  type ChainDef, type Json, type SetDef, type TableDef,
} from './nft-json.js';

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Names a chain's rules refer to: jump/goto targets, @sets, named counters. */
export function referencesOf(chain: ChainDef): Set<string> {
  const out = new Set<string>();
  const walk = (v: unknown, parent: string | undefined): void => {
    if (typeof v === 'string') {
      if (v.startsWith('@')) out.add(`set:${v.slice(1)}`);
      else if (parent === 'target') out.add(`chain:${v}`);
      else if (parent === 'counter') out.add(`counter:${v}`);
      return;
    }
    if (Array.isArray(v)) {
      for (const x of v) walk(x, undefined);
      return;
    }
    if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, k);
  };
  for (const r of chain.rules) walk(r.expr, undefined);
  return out;
}

function addAll(t: TableDef, cmds: Json[]): void {
  for (const c of t.counters) cmds.push({ add: counterObj(t, c) });
  for (const s of t.sets) cmds.push({ add: setObj(t, s) });
  for (const c of t.chains) cmds.push({ add: chainObj(t, c) });
  for (const c of t.chains) for (const r of c.rules) cmds.push({ add: ruleObj(t, c.name, r) });
}

function diffTable(prev: TableDef, next: TableDef, cmds: Json[]): void {
  const pSets = new Map(prev.sets.map((s) => [s.name, s]));
  const nSets = new Map(next.sets.map((s) => [s.name, s]));
  const pChains = new Map(prev.chains.map((c) => [c.name, c]));
  const nChains = new Map(next.chains.map((c) => [c.name, c]));
  const pCounters = new Set(prev.counters);
  const nCounters = new Set(next.counters);

  const replacedSets = next.sets.filter((s) => pSets.has(s.name) && !same(pSets.get(s.name), s));
  const deletedSets = prev.sets.filter((s) => !nSets.has(s.name));
  // A base chain whose hook changed (another device) is deleted and added again.
  const replacedChains = next.chains.filter((c) => pChains.has(c.name) && !same(pChains.get(c.name)!.base, c.base));
  const deletedChains = prev.chains.filter((c) => !nChains.has(c.name));
  const deletedCounters = prev.counters.filter((c) => !nCounters.has(c));
  const going = new Set<string>([
    ...replacedSets.map((s) => `set:${s.name}`), ...deletedSets.map((s) => `set:${s.name}`),
    ...replacedChains.map((c) => `chain:${c.name}`), ...deletedChains.map((c) => `chain:${c.name}`),
    ...deletedCounters.map((c) => `counter:${c}`),
  ]);
  const replacedNames = new Set(replacedChains.map((c) => c.name));
  // Existing chains that must lose their rules before anything they use can go.
  const rewrite = next.chains.filter((c) => {
    const p = pChains.get(c.name);
    if (p === undefined || replacedNames.has(c.name)) return false;
    return !same(p.rules, c.rules) || [...referencesOf(p)].some((r) => going.has(r));
  });
  const flushedForDelete = prev.chains.filter((c) => (!nChains.has(c.name) || replacedNames.has(c.name)));

  for (const c of next.counters) if (!pCounters.has(c)) cmds.push({ add: counterObj(next, c) });
  for (const s of next.sets) if (!pSets.has(s.name)) cmds.push({ add: setObj(next, s) });
  for (const c of next.chains) if (!pChains.has(c.name)) cmds.push({ add: chainObj(next, c) });
  for (const c of rewrite) cmds.push({ flush: chainObj(next, c) });
  for (const c of flushedForDelete) cmds.push({ flush: chainObj(prev, c) });
  for (const c of flushedForDelete) cmds.push({ delete: chainObj(prev, c) });
  for (const s of [...replacedSets.map((s) => pSets.get(s.name)!), ...deletedSets]) cmds.push({ delete: setObj(prev, s) as Json });
  for (const c of deletedCounters) cmds.push({ delete: counterObj(prev, c) });
  for (const s of replacedSets) cmds.push({ add: setObj(next, s) });
  for (const c of replacedChains) cmds.push({ add: chainObj(next, c) });
  const fill = [...next.chains.filter((c) => !pChains.has(c.name)), ...rewrite, ...replacedChains];
  for (const c of fill) for (const r of c.rules) cmds.push({ add: ruleObj(next, c.name, r) });
}

/**
 * The transaction from `prev` (what the last successful transaction left; undefined at
 * start, when leftovers of an earlier run are cleared) to `next`. Empty when nothing changed.
 */
export function buildTransaction(prev: readonly TableDef[] | undefined, next: readonly TableDef[]): Json[] {
  const cmds: Json[] = [];
  if (prev === undefined) {
    const families = new Set<string>([...next.map((t) => t.family), 'inet', 'netdev']);
    for (const family of [...families].sort()) {
      const t = { family, name: next[0]?.name ?? 'halb' } as TableDef;
      cmds.push({ add: tableObj(t) }, { delete: tableObj(t) });
    }
    for (const t of next) {
      cmds.push({ add: tableObj(t) });
      addAll(t, cmds);
    }
    return cmds;
  }
  const key = (t: TableDef): string => `${t.family} ${t.name}`;
  const before = new Map(prev.map((t) => [key(t), t]));
  const after = new Set(next.map(key));
  for (const t of next) {
    const p = before.get(key(t));
    if (p === undefined) {
      cmds.push({ add: tableObj(t) });
      addAll(t, cmds);
    } else {
      diffTable(p, t, cmds);
    }
  }
  for (const t of prev) if (!after.has(key(t))) cmds.push({ delete: tableObj(t) });
  return cmds;
}

/** Commands that remove every table in `tables` (close()). */
export function teardown(tables: readonly Pick<TableDef, 'family' | 'name'>[]): Json[] {
  return tables.flatMap((t): Json[] => [{ add: tableObj(t) }, { delete: tableObj(t) }]);
}

export type { SetDef };
