// Builders for the nftables JSON schema (libnftables-json(5), schema version 1, as nft
// 1.0.6 reads it). Only what the renderer uses; every builder returns plain JSON data so
// the rendered ruleset can be compared and golden-tested as text. Pure.

export type Json = null | boolean | number | string | readonly Json[] | { readonly [k: string]: Json };
export type Expr = Json;
export type Stmt = Json;

export type TableFamily = 'inet' | 'netdev';

export const payload = (protocol: string, field: string): Expr => ({ payload: { protocol, field } });
export const meta = (key: string): Expr => ({ meta: { key } });
/** A conntrack key ('direction', 'proto-dst', 'ip daddr', 'ip6 saddr', ...); `dir` for tuple fields. */
export const ct = (key: string, dir?: 'original' | 'reply'): Expr => ({ ct: { key, ...(dir !== undefined ? { dir } : {}) } });
export const concat = (...items: Expr[]): Expr => ({ concat: items });
export const and = (left: Expr, right: Expr): Expr => ({ '&': [left, right] });
export const range = (lo: number, hi: number): Expr => ({ range: [lo, hi] });
export const prefix = (addr: string, len: number): Expr => ({ prefix: { addr, len } });
export const numgen = (mode: 'inc' | 'random', mod: number): Expr => ({ numgen: { mode, mod, offset: 0 } });
export const jhash = (expr: Expr, mod: number, seed: number): Expr => ({ jhash: { mod, seed, expr } });

export const match = (left: Expr, right: Expr, op: '==' | '!=' | 'in' = '=='): Stmt => ({ match: { op, left, right } });
export const vmap = (key: Expr, elems: readonly (readonly [Expr, Stmt])[]): Stmt => ({
  vmap: { key, data: { set: elems.map(([k, v]) => [k, v]) } },
});
export const jump = (target: string): Stmt => ({ jump: { target } });
export const goto = (target: string): Stmt => ({ goto: { target } });
export const accept: Stmt = { accept: null };
export const drop: Stmt = { drop: null };
export const ret: Stmt = { return: null };
/** Count into a named counter object. */
export const counter = (name: string): Stmt => ({ counter: name });
/** `delete @set { elem }` from the packet path: forget the element (nothing when absent). */
export const setDelete = (set: string, elem: Expr): Stmt => ({ set: { op: 'delete', elem, set: `@${set}` } });
/** `update @set { elem [timeout Ns] }`: add the element or restart its timeout. */
export const setUpdate = (set: string, elem: Expr, timeoutS?: number): Stmt => ({
  set: { op: 'update', elem: timeoutS === undefined ? elem : { elem: { val: elem, timeout: timeoutS } }, set: `@${set}` },
});
export const dnat = (family: 'ip' | 'ip6', addr: string, port: number): Stmt => ({ dnat: { family, addr, port } });
/** netdev only: send the packet unchanged to `addr`'s MAC on `dev` (nft_fwd_neigh). */
export const fwd = (family: 'ip' | 'ip6', addr: string, dev: string): Stmt => ({ fwd: { dev, family, addr } });

export interface BaseChain {
  readonly type: 'filter' | 'nat';
  readonly hook: 'prerouting' | 'output' | 'forward' | 'ingress';
  readonly prio: number;
  readonly policy: 'accept';
  /** netdev ingress: the device. */
  readonly dev?: string;
}

export interface RuleDef {
  readonly expr: readonly Stmt[];
  readonly comment?: string;
}

export interface ChainDef {
  readonly name: string;
  readonly base?: BaseChain;
  readonly rules: readonly RuleDef[];
}

export interface SetDef {
  readonly name: string;
  readonly type: string | readonly string[];
  readonly flags: readonly string[];
  readonly timeoutS?: number;
  readonly size?: number;
}

/** One table as the engine wants it: the unit render.ts produces and transaction.ts diffs. */
export interface TableDef {
  readonly family: TableFamily;
  readonly name: string;
  readonly counters: readonly string[];
  readonly sets: readonly SetDef[];
  readonly chains: readonly ChainDef[];
}

export function tableObj(t: Pick<TableDef, 'family' | 'name'>): Json {
  return { table: { family: t.family, name: t.name } };
}

export function chainObj(t: Pick<TableDef, 'family' | 'name'>, c: ChainDef): Json {
  const b = c.base;
  return {
    chain: {
      family: t.family, table: t.name, name: c.name,
      ...(b !== undefined ? { type: b.type, hook: b.hook, prio: b.prio, ...(b.dev !== undefined ? { dev: b.dev } : {}), policy: b.policy } : {}),
    },
  };
}

export function setObj(t: Pick<TableDef, 'family' | 'name'>, s: SetDef): Json {
  return {
    set: {
      family: t.family, table: t.name, name: s.name, type: s.type as Json, flags: s.flags as Json,
      ...(s.timeoutS !== undefined ? { timeout: s.timeoutS } : {}),
      ...(s.size !== undefined ? { size: s.size } : {}),
    },
  };
}

export function counterObj(t: Pick<TableDef, 'family' | 'name'>, name: string): Json {
  return { counter: { family: t.family, table: t.name, name } };
}

export function ruleObj(t: Pick<TableDef, 'family' | 'name'>, chain: string, r: RuleDef): Json {
  return { rule: { family: t.family, table: t.name, chain, expr: r.expr as Json, ...(r.comment !== undefined ? { comment: r.comment } : {}) } };
}
