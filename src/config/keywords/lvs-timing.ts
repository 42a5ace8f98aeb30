// The checker timing keywords a virtual_server and a real_server both take (retry,
// delay_before_retry, warmup, connect_timeout, delay_loop): one reader for both, with
// keepalived's messages, which name the block and spell two keywords differently.
import type { Stmt } from '../lexer.js';
import type { KeywordTable, Parser } from '../parser.js';
import { LIMITS, readTimer, readUnsigned } from './lvs-values.js';

/** The values the keywords set; unset ones are inherited at the virtual server's end. */
export interface TimingTarget {
  retry?: number;
  delayBeforeRetryMs?: number;
  warmupMs?: number;
  connectTimeoutMs?: number;
  delayLoopMs?: number;
}

/** A value that did not parse; a missing one was already reported (fatally) by the reader. */
export function invalidValue(s: Stmt, p: Parser, msg: string): void {
  if (s.words[1] !== undefined) p.diag.error(s.pos, msg, s.words[0]);
}

// check_parser.c's vs_* and rs_* handlers word their messages apart.
const WORDING = {
  'virtual server': { delayBeforeRetry: 'delay before retry', delayLoop: 'delay loop' },
  'real server': { delayBeforeRetry: 'delay_before_retry', delayLoop: 'delay_loop' },
} as const;

export function timingKeywords(target: TimingTarget, block: keyof typeof WORDING): KeywordTable {
  const w = WORDING[block];
  const timer = (set: (v: number) => void, min: bigint, max: bigint, msg: (word: string | undefined) => string) =>
    (s: Stmt, p: Parser): void => {
      const v = readTimer(s, p, 1, min, max);
      if (v === undefined) invalidValue(s, p, msg(s.words[1]));
      else set(v);
    };
  return {
    retry: (s, p) => {
      const v = readUnsigned(s, p, 1, 1, LIMITS.UINT_MAX);
      if (v === undefined) invalidValue(s, p, `retry value invalid - ${s.words[1]}`);
      else target.retry = v;
    },
    delay_before_retry: timer((v) => { target.delayBeforeRetryMs = v; }, 0n, 0n,
      (x) => `${block} ${w.delayBeforeRetry} '${x}' invalid - ignoring`),
    warmup: timer((v) => { target.warmupMs = v; }, 0n, 0n, (x) => `${block} warmup '${x}' invalid - ignoring`),
    connect_timeout: timer((v) => { target.connectTimeoutMs = v; }, 1n, BigInt(LIMITS.UINT_MAX),
      (x) => `${block} connect_timeout ${x} invalid - ignoring`),
    delay_loop: timer((v) => { target.delayLoopMs = v; }, 1n, 0n, (x) => `${block} ${w.delayLoop} '${x}' invalid - ignoring`),
  };
}
