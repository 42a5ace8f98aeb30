// MISC_CHECK { } (keepalived's check_misc.c): runs a script; exit 0 = up, and with
// misc_dynamic an exit of 2..255 sets the weight to status-2. No connection keywords;
// retries default to 0.
import { shellSplit } from '../../lexer.js';
import type { Handler } from '../../parser.js';
import type { ScriptSpec } from '../../readers.js';
import { LIMITS, readUnsigned } from '../lvs-values.js';
import { checkerBlock, type CheckerContext } from './common.js';

export function miscCheck(ctx: CheckerContext): Handler {
  return (s, p) => checkerBlock(ctx, s, p, () => {
    let script: { argv: string[]; text: string } | undefined;
    let timeoutMs: number | undefined;
    let dynamic = false;
    let user: string | undefined;
    let group: string | undefined;
    return {
      connection: false,
      timers: true,
      defaultRetry: 0,
      keywords: {
        // keepalived takes the first word only and splits it again, so a command with
        // arguments must be quoted: misc_path "/bin/check.sh arg".
        misc_path: (st, pp) => {
          const outer = shellSplit(st.rest);
          if (outer.error !== undefined) pp.diag.error(st.pos, `misc_path: ${outer.error}`, 'misc_path');
          const first = outer.argv[0];
          if (first === undefined) return;
          if (outer.argv.length > 1) {
            pp.diag.warn(st.pos, `misc_path: '${outer.argv.slice(1).join(' ')}' ignored (quote the command with its arguments)`, 'misc_path');
          }
          const argv = shellSplit(first).argv;
          if (argv.length > 0) script = { argv, text: first };
        },
        misc_timeout: (st, pp) => {
          const v = readUnsigned(st, pp, 1, 0, Math.floor(LIMITS.UINT_MAX / 1_000_000));
          if (v === undefined) {
            if (st.words[1] !== undefined) pp.diag.error(st.pos, `Invalid misc_timeout value '${st.words[1]}'`, 'misc_timeout');
          } else {
            timeoutMs = v * 1000;
          }
        },
        misc_dynamic: () => {
          dynamic = true;
        },
        user: (st, pp) => {
          if (st.words[1] === undefined) {
            pp.diag.error(st.pos, `No user specified for misc checker script ${script?.argv.join(' ') ?? ''}`, 'user');
            return;
          }
          user = st.words[1];
          group = st.words[2];
        },
      },
      finish: (at) => {
        if (script !== undefined) return true;
        p.diag.error(at, 'No script path has been specified for MISC_CHECKER - skipping');
        return false;
      },
      build: (t) => {
        const spec: ScriptSpec = {
          ...(script ?? { argv: [], text: '' }),
          ...(user !== undefined ? { user } : {}),
          ...(group !== undefined ? { group } : {}),
        };
        // A misc_timeout of 0 (or none) means the virtual server's delay_loop.
        return { kind: 'MISC_CHECK', pos: s.pos, ...t, script: spec, timeoutMs: timeoutMs || ctx.vs.delayLoopMs, dynamic };
      },
    };
  });
}
