// What every checker shares (keepalived's check_api.c): the connection keywords
// (connect_ip, connect_port, bindto, bind_port, bind_if, connect_timeout, fwmark), the
// timer keywords (retry, delay_before_retry, warmup, delay_loop, alpha,
// log_all_failures), and the link-local check made when the block closes.
import assert from 'node:assert/strict';
import ipaddr from 'ipaddr.js';
import type { KeepalivedConfig } from '../../model/index.js';
import type { SourcePos } from '../../diagnostics.js';
import type { Stmt } from '../../lexer.js';
import type { Block, KeywordTable, Parser } from '../../parser.js';
import { tableBlock } from '../../parser.js';
import type { Checker, CheckerTiming, ConnectOptions } from '../../model/lvs.js';
import { canonicalAddr, stoSockaddr } from '../lvs-addr.js';
import type { CheckerDraft, ConnDraft, RsDraft, TimingDraft, VsDraft } from '../lvs-draft.js';
import { blockEnd } from '../lvs-draft.js';
import { LIMITS, need, readFlag, readTimer, readUnsigned } from '../lvs-values.js';

/** What a checker's keyword handlers can see. */
export interface CheckerContext {
  readonly cfg: KeepalivedConfig;
  readonly vs: VsDraft;
  readonly rs: RsDraft;
}

/** The IFNAMSIZ limit keepalived applies to bind_if. */
const IFNAME_MAX = 15;

export function timerKeywords(t: TimingDraft): KeywordTable {
  return {
    retry: (s, p) => {
      const v = readUnsigned(s, p, 1, 0, LIMITS.UINT_MAX);
      if (v === undefined) invalid(s, p, `Invalid retry connection value '${s.words[1]}'`);
      else t.retry = v;
    },
    delay_before_retry: (s, p) => {
      const v = readTimer(s, p, 1, 0n, 0n);
      if (v === undefined) invalid(s, p, `Invalid delay_before_retry connection value '${s.words[1]}'`);
      else t.delayBeforeRetryMs = v;
    },
    warmup: (s, p) => {
      const v = readTimer(s, p, 1, 0n, 0n);
      if (v === undefined) invalid(s, p, `Invalid warmup connection value '${s.words[1]}'`);
      else t.warmupMs = v;
    },
    delay_loop: (s, p) => {
      const v = readTimer(s, p, 1, 1n, 0n);
      if (v === undefined) invalid(s, p, `delay_loop '${s.words[1]}' is invalid - ignoring`);
      else t.delayLoopMs = v;
    },
    alpha: (s, p) => {
      const v = readFlag(s, p, (w) => `Invalid alpha parameter ${w}`);
      if (v !== undefined) t.alpha = v;
    },
    log_all_failures: (s, p) => {
      const v = readFlag(s, p, (w) => `Invalid log_all_failures parameter ${w}`);
      if (v !== undefined) t.logAllFailures = v;
    },
  };
}

/** A word that has already been reported missing (fatal) produces no second message. */
function invalid(s: Stmt, p: Parser, msg: string): void {
  if (s.words[1] !== undefined) p.diag.error(s.pos, msg, s.words[0]);
}

export function connectionKeywords(c: ConnDraft, rs: RsDraft): KeywordTable {
  /** The destination's family: connect_ip's, else the real server's (keepalived copies rs->addr). */
  const dstFamily = (): number | undefined => (c.dstUnspec ? undefined : c.family ?? rs.family);
  return {
    connect_ip: (s, p) => {
      const w = need(s, p);
      if (w === undefined) return;
      const a = stoSockaddr(w, undefined, s, p);
      if (a === undefined) {
        p.diag.error(s.pos, `Invalid connect_ip address ${w} - ignoring`, 'connect_ip');
        // keepalived's failed conversion leaves the destination without a family.
        c.dstUnspec = true;
        c.addr = undefined;
        c.family = undefined;
        return;
      }
      if (c.bindFamily !== undefined && c.bindFamily !== a.family) {
        p.diag.error(s.pos, `connect_ip address ${w} does not match address family of bindto - skipping`, 'connect_ip');
        c.dstUnspec = true;
        return;
      }
      c.dstUnspec = false;
      c.addr = a.addr;
      c.family = a.family;
    },
    connect_port: (s, p) => {
      const v = readUnsigned(s, p, 1, 1, 65535);
      if (v === undefined) invalid(s, p, `Invalid checker connect_port '${s.words[1]}'`);
      else c.port = v;
    },
    bindto: (s, p) => {
      const w = need(s, p);
      if (w === undefined) return;
      const a = stoSockaddr(w, undefined, s, p);
      if (a === undefined) {
        p.diag.error(s.pos, `Invalid bindto address ${w} - ignoring`, 'bindto');
        return;
      }
      const dst = dstFamily();
      if (dst !== undefined && dst !== a.family) {
        p.diag.error(s.pos, `bindto address ${w} does not match address family of connect_ip - skipping`, 'bindto');
        c.bindAddr = undefined;
        c.bindFamily = undefined;
        return;
      }
      c.bindAddr = a.addr;
      c.bindFamily = a.family;
    },
    bind_port: (s, p) => {
      const v = readUnsigned(s, p, 1, 1, 65535);
      if (v === undefined) invalid(s, p, `Invalid checker bind_port '${s.words[1]}'`);
      else c.bindPort = v;
    },
    bind_if: (s, p) => {
      const w = need(s, p);
      if (w === undefined) return;
      if (w.length > IFNAME_MAX) p.diag.error(s.pos, `Interface name ${w} is too long - ignoring`, 'bind_if');
      else c.bindIf = w;
    },
    connect_timeout: (s, p) => {
      const v = readTimer(s, p, 1, 1n, BigInt(LIMITS.UINT_MAX));
      if (v === undefined) invalid(s, p, `connect_timeout ${s.words[1]} invalid - ignoring`);
      else c.timeoutMs = v;
    },
    fwmark: (s, p) => {
      const v = readUnsigned(s, p, 1, 0, LIMITS.UINT_MAX);
      if (v === undefined) invalid(s, p, `Invalid fwmark connection value '${s.words[1]}'`);
      else c.fwmark = v;
    },
  };
}

/**
 * check_conn_opts(): an IPv6 link-local destination needs bind_if to pick the link;
 * keepalived drops the checker otherwise. Returns false when dropped.
 */
export function checkConnOpts(c: ConnDraft, rs: RsDraft, p: Parser, at: SourcePos): boolean {
  const addr = c.dstUnspec ? undefined : c.addr ?? rs.addr;
  const family = c.dstUnspec ? undefined : c.family ?? rs.family;
  if (addr !== undefined && family === 6 && ipaddr.IPv6.parse(addr).range() === 'linkLocal' && c.bindIf === undefined) {
    p.diag.error(at, `Checker link local address ${canonicalAddr(addr, 6)} requires a bind_if`);
    return false;
  }
  return true;
}

export interface CheckerParts {
  readonly timing: TimingDraft;
  readonly conn: ConnDraft;
  /** check_conn_opts() at position `at`; false when the checker must be dropped. */
  checkConn(at: SourcePos): boolean;
}

export interface CheckerSpec {
  /** Takes the connection keywords (all but MISC, FILE and BFD). */
  readonly connection: boolean;
  /** Takes the timer keywords and runs on a timer (all but FILE and BFD). */
  readonly timers: boolean;
  readonly defaultRetry?: number;
  readonly defaultDelayBeforeRetryMs?: number;
  /** Keywords of this checker. */
  readonly keywords: KeywordTable;
  /** Runs at the closing brace; false drops the checker. Defaults to checkConn. */
  finish?(at: SourcePos): boolean;
  build(timing: CheckerTiming, connect: ConnectOptions | undefined): Checker;
  /** Further checkers the block produced (SMTP_CHECK's legacy host blocks), queued after it. */
  more?(): CheckerDraft[];
}

/**
 * A checker sub-level: the shared keywords plus the checker's own, and at the closing
 * brace the checker joins its real server (unless its end handler drops it, as
 * keepalived's dequeue_new_checker does).
 */
export function checkerBlock(ctx: CheckerContext, s: Stmt, p: Parser, make: (parts: CheckerParts) => CheckerSpec): Block {
  const timing: TimingDraft = { logAllFailures: false };
  const conn: ConnDraft = {};
  const parts: CheckerParts = { timing, conn, checkConn: (at) => checkConnOpts(conn, ctx.rs, p, at) };
  const spec = make(parts);
  const last = s.pos;
  const table = {
    ...(spec.connection ? connectionKeywords(conn, ctx.rs) : {}),
    ...(spec.timers ? timerKeywords(timing) : {}),
    ...spec.keywords,
  };
  return tableBlock(table, (closePos?: SourcePos) => {
    const at = blockEnd(closePos, last);
    const keep = spec.finish !== undefined ? spec.finish(at) : !spec.connection || parts.checkConn(at);
    if (!keep) return;
    const draft: CheckerDraft = {
      pos: s.pos,
      timing,
      ...(spec.connection ? { conn } : {}),
      defaultRetry: spec.defaultRetry ?? 1,
      defaultDelayBeforeRetryMs: spec.defaultDelayBeforeRetryMs ?? 1000,
      runs: spec.timers,
      build: spec.build,
    };
    ctx.rs.checkers.push(draft, ...(spec.more?.() ?? []));
  });
}

/** The connection a checker ends up with: its own settings over its real server's. */
export function resolveConnect(c: ConnDraft, rs: { addr: string; family: 4 | 6; port: number; connectTimeoutMs: number }): ConnectOptions {
  const useOwn = !c.dstUnspec && c.addr !== undefined;
  return {
    addr: useOwn ? c.addr as string : rs.addr,
    family: useOwn ? c.family as 4 | 6 : rs.family,
    port: c.port ?? rs.port,
    ...(c.bindAddr !== undefined ? { bindAddr: c.bindAddr } : {}),
    ...(c.bindPort !== undefined ? { bindPort: c.bindPort } : {}),
    ...(c.bindIf !== undefined ? { bindIf: c.bindIf } : {}),
    ...(c.fwmark !== undefined ? { fwmark: c.fwmark } : {}),
    timeoutMs: c.timeoutMs ?? rs.connectTimeoutMs,
  };
}

/** Connection checkers are always built with their connection (our invariant, not input). */
export function requireConn(c: ConnectOptions | undefined): ConnectOptions {
  assert(c !== undefined, 'connection checker built without its connection');
  return c;
}
