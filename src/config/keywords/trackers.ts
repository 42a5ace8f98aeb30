// vrrp_script and track_file blocks (keepalived/vrrp/vrrp_parser.c, trackers/track_file.c).
// A block only joins the configuration at its closing brace, and only if complete, as
// keepalived's level-end handlers decide; track_script references resolve against the
// scripts defined so far, so a script defined after its user is "not found".
import type { Stmt } from '../lexer.js';
import type { KeepalivedConfig } from '../model/index.js';
import type { TrackFile, VrrpScript } from '../model/trackers.js';
import type { KeywordTable, Parser } from '../parser.js';
import { skipBlock, tableBlock } from '../parser.js';
import type { ScriptSpec } from '../readers.js';
import { readInt } from '../readers.js';
import { endPos, needArg, scriptValue, userGroup } from './kw-util.js';

const UINT_MAX_S = 4294;

function vrrpScriptKeyword(cfg: KeepalivedConfig): KeywordTable {
  return {
    vrrp_script: (s, p) => {
      if (!needArg(s, p)) return skipBlock;
      const name = s.words[1] as string;
      let script: ScriptSpec | undefined;
      const v: Omit<VrrpScript, 'script' | 'timeoutMs'> & { timeoutMs?: number } = {
        name, pos: s.pos, intervalMs: 1000, rise: 1, fall: 1, weight: 0, weightReverse: false, initFail: false,
      };
      const seconds = (ks: Stmt, kp: Parser, what: 'interval' | 'timeout'): number | undefined => {
        if (!needArg(ks, kp)) return undefined;
        const n = readInt(ks, kp, 1, 0, UINT_MAX_S);
        if (n === undefined) {
          kp.diag.error(ks.pos, what === 'interval'
            ? `(${name}): vrrp script interval '${ks.words[1]}' must be between 1 and ${UINT_MAX_S} - ignoring`
            : `(${name}): vrrp script timeout '${ks.words[1]}' invalid - ignoring`, ks.words[0]);
          return undefined;
        }
        if (n === 0) kp.diag.error(ks.pos, `(${name}): vrrp script ${what} must be greater than 0, setting to 1`, ks.words[0]);
        return Math.max(1, n) * 1000;
      };
      const count = (ks: Stmt, kp: Parser, what: 'rise' | 'fall'): number => {
        if (!needArg(ks, kp)) return 1;
        const n = readInt(ks, kp, 1, 1, 2147483647);
        if (n === undefined) kp.diag.error(ks.pos, `(${name}): vrrp script ${what} value '${ks.words[1]}' invalid, defaulting to 1`, ks.words[0]);
        return n ?? 1;
      };
      return tableBlock({
        script: (ks, kp) => { script = scriptValue(ks, kp) ?? script; },
        interval: (ks, kp) => { v.intervalMs = seconds(ks, kp, 'interval') ?? v.intervalMs; },
        timeout: (ks, kp) => {
          const t = seconds(ks, kp, 'timeout');
          if (t !== undefined) v.timeoutMs = t;
        },
        weight: (ks, kp) => {
          if (!needArg(ks, kp)) return;
          const w = readInt(ks, kp, 1, -253, 253);
          if (w === undefined) kp.diag.error(ks.pos, `vrrp_script ${name} weight ${ks.words[1]} must be in [-253, 253]`, ks.words[0]);
          else v.weight = w;
          const opt = ks.words[2];
          if (opt === 'reverse') v.weightReverse = true;
          else if (opt !== undefined) kp.diag.error(ks.pos, `vrrp_script ${name} unknown weight option ${opt}`, ks.words[0]);
        },
        rise: (ks, kp) => { v.rise = count(ks, kp, 'rise'); },
        fall: (ks, kp) => { v.fall = count(ks, kp, 'fall'); },
        user: (ks, kp) => {
          const ug = userGroup(ks.words.slice(1));
          if (ug === undefined) {
            kp.diag.error(ks.pos, `Unable to set uid/gid for script ${script?.text ?? ''}`, ks.words[0]);
            return;
          }
          v.user = ug.user;
          if (ug.group !== undefined) v.group = ug.group;
        },
        init_fail: () => { v.initFail = true; },
      }, (closePos) => {
        if (script === undefined) {
          p.diag.error(endPos(closePos, s.pos), `No script set for vrrp_script ${name} - removing`, s.words[0]);
          return;
        }
        cfg.vrrpScripts.push({ ...v, script, timeoutMs: v.timeoutMs ?? v.intervalMs });
      });
    },
  };
}

function trackFileKeyword(cfg: KeepalivedConfig): KeywordTable {
  const handler = (s: Stmt, p: Parser): ReturnType<typeof tableBlock> => {
    if (!needArg(s, p)) return skipBlock;
    const name = s.words[1] as string;
    let file: string | undefined;
    let weightSet = false;
    const tf: Omit<TrackFile, 'file'> = { name, pos: s.pos, weight: 1, weightReverse: false };
    return tableBlock({
      file: (ks, kp) => {
        if (!needArg(ks, kp)) return;
        if (file !== undefined) kp.diag.error(ks.pos, `File already set for track file ${name} - ignoring ${ks.words[1]}`, ks.words[0]);
        else file = ks.words[1];
      },
      weight: (ks, kp) => {
        if (ks.words.length < 2) {
          kp.diag.error(ks.pos, `No weight specified for track file ${name} - ignoring`, ks.words[0]);
          return;
        }
        if (weightSet) {
          kp.diag.error(ks.pos, `Weight already set for track file ${name} - ignoring ${ks.words[1]}`, ks.words[0]);
          return;
        }
        const w = readInt(ks, kp, 1, -254, 254);
        if (w === undefined) {
          kp.diag.error(ks.pos, `Weight (${ks.words[1]}) for track_file ${name} must be between [-254..254] inclusive. Ignoring...`, ks.words[0]);
          return;
        }
        const opt = ks.words[2];
        if (opt === 'reverse') tf.weightReverse = true;
        else if (opt !== undefined) kp.diag.error(ks.pos, `track_file ${name} unknown weight option ${opt}`, ks.words[0]);
        tf.weight = w;
        weightSet = true;
      },
      init_file: (ks, kp) => {
        let value = 0;
        let overwrite = false;
        for (const w of ks.words.slice(1)) {
          if (w === 'overwrite') overwrite = true;
          else if (/^[-+]?\d+$/.test(w)) {
            value = Number(w);
            if (value < -254 || value > 254) kp.diag.error(ks.pos, `Track file ${name} init value ${value} is outside sensible range [-254, 254]`, ks.words[0]);
          } else if (/^[-+]?[\d.]/.test(w)) kp.diag.error(ks.pos, `Track file ${name} init value ${w} is invalid`, ks.words[0]);
          else kp.diag.error(ks.pos, `Unknown track file init option ${w}`, ks.words[0]);
        }
        tf.initFile = { value, overwrite };
      },
    }, (closePos) => {
      if (file === undefined) {
        p.diag.error(endPos(closePos, s.pos), `No file set for track_file ${name} - ignoring`, s.words[0]);
        return;
      }
      cfg.trackFiles.push({ ...tf, file });
    });
  };
  return { track_file: handler, vrrp_track_file: handler };
}

export function trackerKeywords(cfg: KeepalivedConfig): KeywordTable {
  return { ...vrrpScriptKeyword(cfg), ...trackFileKeyword(cfg) };
}
