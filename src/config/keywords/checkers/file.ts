// FILE_CHECK { track_file NAME; weight N [reverse|noreverse] } (keepalived's
// check_file.c): the real server follows a top-level track_file; no timers.
import type { Handler } from '../../parser.js';
import type { TrackFile } from '../../model/index.js';
import { need, readSigned, LIMITS } from '../lvs-values.js';
import { checkerBlock, type CheckerContext } from './common.js';

export function fileCheck(ctx: CheckerContext): Handler {
  return (s, p) => checkerBlock(ctx, s, p, () => {
    let file: TrackFile | undefined;
    let weight: number | undefined;
    let reverse = false;
    return {
      connection: false,
      timers: false,
      keywords: {
        track_file: (st, pp) => {
          const w = need(st, pp);
          if (w === undefined) return;
          const found = ctx.cfg.trackFiles.find((t) => t.name === w);
          if (found === undefined) pp.diag.error(st.pos, `track_file ${w} not found`, 'track_file');
          else file = found;
        },
        weight: (st, pp) => {
          if (st.words.length < 2) return pp.diag.error(st.pos, 'track file weight missing', 'weight');
          const v = readSigned(st, pp, 1, -LIMITS.INT_MAX, LIMITS.INT_MAX);
          if (v === undefined) {
            return pp.diag.error(st.pos, `weight for track file must be in [${-LIMITS.INT_MAX}..${LIMITS.INT_MAX}] inclusive. Ignoring...`, 'weight');
          }
          const opt = st.words[2];
          if (opt !== undefined && opt !== 'reverse' && opt !== 'noreverse') {
            return pp.diag.error(st.pos, `unknown track file weight option ${opt} - ignoring`, 'weight');
          }
          weight = v;
          reverse = opt === 'reverse';
        },
      },
      finish: (at) => {
        if (file !== undefined) return true;
        p.diag.error(at, 'FILE_CHECK has no track_file specified - ignoring');
        return false;
      },
      build: () => {
        const f = file as TrackFile;
        // Without its own weight the checker takes the track_file's.
        return weight !== undefined
          ? { kind: 'FILE_CHECK', pos: s.pos, trackFile: f.name, weight, reverse }
          : { kind: 'FILE_CHECK', pos: s.pos, trackFile: f.name, weight: f.weight, reverse: f.weightReverse };
      },
    };
  });
}
