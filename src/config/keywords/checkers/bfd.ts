// BFD_CHECK { name NAME; alpha } (keepalived's check_bfd.c): the real server follows a
// bfd_instance. After a bad `name` keepalived drops the checker and ignores the rest of
// the block; so do we.
import type { Handler } from '../../parser.js';
import { trio } from '../lvs-addr.js';
import { readFlag } from '../lvs-values.js';
import { checkerBlock, type CheckerContext } from './common.js';

/** keepalived's BFD_INAME_MAX. */
const BFD_NAME_MAX = 32;

export function bfdCheck(ctx: CheckerContext): Handler {
  return (s, p) => checkerBlock(ctx, s, p, (parts) => {
    let name: string | undefined;
    let dropped = false;
    const label = (): string => trio(ctx.rs.addr, ctx.vs.protocol, ctx.rs.port);
    return {
      connection: false,
      timers: false,
      keywords: {
        name: (st, pp) => {
          if (dropped) return;
          const w = st.words[1];
          let msg: string | undefined;
          if (st.words.length !== 2 || w === undefined) msg = `(${label()}) BFD_CHECK - No or too many names specified - skipping checker`;
          else if (!ctx.cfg.bfdInstances.some((b) => b.name === w)) msg = `(${label()}) BFD_CHECK - BFD ${w} not configured`;
          else if (name !== undefined) msg = `(${label()}) BFD_CHECK - BFD ${w} already specified as ${name}`;
          else if (w.length >= BFD_NAME_MAX) msg = `(${label()}) BFD_CHECK - BFD name ${w} too long`;
          else if (ctx.rs.bfds.has(w)) msg = `(${label()}) BFD_CHECK - RS already monitoring ${w}`;
          if (msg !== undefined) {
            pp.diag.error(st.pos, msg, 'name');
            dropped = true;
            return;
          }
          name = w;
        },
        alpha: (st, pp) => {
          if (dropped) return;
          const v = readFlag(st, pp, (w) => `Invalid alpha parameter ${w}`);
          if (v !== undefined) parts.timing.alpha = v;
        },
      },
      finish: (at) => {
        if (dropped) return false;
        if (name === undefined) {
          p.diag.error(at, `(${label()}) No name has been specified for BFD_CHECKER - skipping`);
          return false;
        }
        ctx.rs.bfds.add(name);
        return true;
      },
      build: (t) => ({ kind: 'BFD_CHECK', pos: s.pos, name: name as string, alpha: t.alpha }),
    };
  });
}
