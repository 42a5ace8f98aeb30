// SMTP_CHECK { } (keepalived's check_smtp.c): expects the 220 banner, sends HELO, expects
// 250. The deprecated `host { }` sub-blocks each become one more SMTP checker whose
// connection starts as a copy of the checker's at that point, as keepalived builds them.
import type { SourcePos } from '../../diagnostics.js';
import type { Handler } from '../../parser.js';
import { tableBlock } from '../../parser.js';
import type { CheckerTiming, ConnectOptions } from '../../model/lvs.js';
import type { CheckerDraft, ConnDraft } from '../lvs-draft.js';
import { blockEnd } from '../lvs-draft.js';
import {
  checkConnOpts, checkerBlock, connectionKeywords, requireConn, timerKeywords, type CheckerContext,
} from './common.js';

/** keepalived's SMTP_DEFAULT_HELO. */
export const DEFAULT_HELO = 'smtpchecker.keepalived.org';

export function smtpCheck(ctx: CheckerContext): Handler {
  return (s, p) => checkerBlock(ctx, s, p, (parts) => {
    let heloName = DEFAULT_HELO;
    const hosts: { pos: SourcePos; conn: ConnDraft }[] = [];
    const build = (fromHostBlock: boolean) => (t: CheckerTiming, c: ConnectOptions | undefined) => ({
      kind: 'SMTP_CHECK' as const, pos: s.pos, ...t, connect: requireConn(c), heloName, fromHostBlock,
    });
    return {
      connection: true,
      timers: true,
      keywords: {
        helo_name: (st, pp) => {
          if (st.words[1] === undefined) pp.diag.error(st.pos, 'SMTP_CHECK helo name missing', st.words[0]);
          else heloName = st.words[1];
        },
        host: (st, pp) => {
          pp.diag.warn(st.pos, 'The SMTP_CHECK host block is deprecated. Please define additional checkers.', 'host');
          const conn: ConnDraft = { ...parts.conn };
          const last = st.pos;
          // Timer keywords inside a host block still set the checker's own timers.
          const table = { ...connectionKeywords(conn, ctx.rs), ...timerKeywords(parts.timing) };
          return tableBlock(table, (closePos?: SourcePos) => {
            if (checkConnOpts(conn, ctx.rs, pp, blockEnd(closePos, last))) hosts.push({ pos: st.pos, conn });
          });
        },
      },
      build: build(false),
      more: () => hosts.map((h): CheckerDraft => ({
        pos: h.pos,
        timing: parts.timing,
        conn: h.conn,
        defaultRetry: 1,
        defaultDelayBeforeRetryMs: 1000,
        runs: true,
        build: build(true),
      })),
    };
  });
}
