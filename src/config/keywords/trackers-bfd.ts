// bfd_instance and vrrp_track_process blocks (keepalived/bfd/bfd_parser.c,
// vrrp_parser.c). Debian's 2.2.7 lacks track_process support and silently ignores
// vrrp_track_process blocks; halb implements them (docs/config-defaults.md).
import { isIP } from 'node:net';
import type { Stmt } from '../lexer.js';
import type { KeepalivedConfig } from '../model/index.js';
import type { BfdInstance, TrackProcess } from '../model/trackers.js';
import type { KeywordTable, Parser } from '../parser.js';
import { skipBlock, tableBlock } from '../parser.js';
import { normaliseAddr, readDecimalFixed, readInt } from '../readers.js';
import { endPos, needArg, secondsToMs } from './kw-util.js';

function bfdKeyword(cfg: KeepalivedConfig): KeywordTable {
  return {
    bfd_instance: (s, p) => {
      if (!needArg(s, p)) return skipBlock;
      const name = s.words[1] as string;
      if (cfg.bfdInstances.some((b) => b.name === name)) {
        p.diag.error(s.pos, `BFD ${name} already specified`, s.words[0]);
        p.diag.error(s.pos, `Configuration error: BFD instance ${name} already configured - ignoring`, s.words[0]);
        return skipBlock;
      }
      const b: BfdInstance = {
        name, pos: s.pos, minRxMs: 10, minTxMs: 10, idleTxMs: 1000, multiplier: 5, passive: false,
        ttl: 255, hoplimit: 64, maxHops: 0, multihop: false, weight: 0, weightReverse: false,
      };
      let malformed = false;
      const bad = (ks: Stmt, kp: Parser, m: string): void => kp.diag.error(ks.pos, `Configuration error: BFD instance ${name} ${m}`, ks.words[0]);
      const address = (what: 'neighbor' | 'source') => (ks: Stmt, kp: Parser): void => {
        if (!needArg(ks, kp)) return;
        const a = ks.words[1] as string;
        const fam = isIP(a);
        if (fam === 0) {
          if (what === 'source') bad(ks, kp, `has malformed source address ${a}, ignoring`);
          else {
            bad(ks, kp, `has malformed neighbor address ${a}, ignoring instance`);
            malformed = true;
          }
          return;
        }
        if (what === 'source') b.sourceIp = normaliseAddr(a, fam as 4 | 6);
        else b.neighborIp = normaliseAddr(a, fam as 4 | 6);
      };
      const millis = (field: 'minRxMs' | 'minTxMs' | 'idleTxMs', what: string, min: number) => (ks: Stmt, kp: Parser): void => {
        if (!needArg(ks, kp)) return;
        const v = readDecimalFixed(ks, kp, 1, min, 4294967, 3);
        if (v === undefined) bad(ks, kp, `${what} value ${ks.words[1]} is not valid (must be in range [${min}-4294967]), ignoring`);
        else b[field] = v;
      };
      const int = (set: (v: number) => void, min: number, max: number, m: (w: string) => string) => (ks: Stmt, kp: Parser): void => {
        if (!needArg(ks, kp)) return;
        const v = readInt(ks, kp, 1, min, max);
        if (v === undefined) bad(ks, kp, m(ks.words[1] as string));
        else set(v);
      };
      return tableBlock({
        neighbor_ip: address('neighbor'),
        neighbour_ip: address('neighbor'),
        source_ip: address('source'),
        min_rx: millis('minRxMs', 'min_rx', 1),
        min_tx: millis('minTxMs', 'min_tx', 1),
        idle_tx: millis('idleTxMs', 'idle_tx', 1000),
        multiplier: int((v) => { b.multiplier = v; }, 1, 255, (w) => `multiplier value ${w} not valid (must be in range [1-255]), ignoring`),
        passive: () => { b.passive = true; },
        ttl: int((v) => { b.ttl = v; }, 1, 255, (w) => `ttl/hoplimit value ${w} not valid (must be in range [1-255]), ignoring`),
        hoplimit: int((v) => { b.hoplimit = v; }, 1, 255, (w) => `ttl/hoplimit value ${w} not valid (must be in range [1-255]), ignoring`),
        max_hops: int((v) => { b.maxHops = v; }, -1, 255, (w) => `max_hops value ${w} not valid (must be in range [-1-255]), ignoring`),
        weight: (ks, kp) => {
          int((v) => { b.weight = v; }, -253, 253, (w) => `weight value ${w} not valid (must be in range [-253-253]), ignoring`)(ks, kp);
          const opt = ks.words[2];
          if (opt === 'reverse') b.weightReverse = true;
          else if (opt !== undefined) bad(ks, kp, `unknown weight option ${opt}`);
        },
        // Not known to Debian's 2.2.7 ("Unknown keyword"); later keepalived has it.
        multihop: (ks, kp) => {
          kp.diag.warn(ks.pos, "'multihop' is not known to keepalived 2.2.7, which would reject this file; halb accepts it", ks.words[0]);
          b.multihop = ks.words[1] === undefined || !['off', 'false', 'no'].includes((ks.words[1]).toLowerCase());
        },
        vrrp: () => { b.only = 'vrrp'; },
        checker: () => { b.only = 'checker'; },
      }, (closePos) => {
        const at = endPos(closePos, s.pos);
        if (malformed) return;
        if (b.neighborIp === undefined) {
          p.diag.error(at, `Configuration error: BFD instance ${name} has no neighbor address set, disabling instance`, s.words[0]);
          return;
        }
        if (b.sourceIp !== undefined && isIP(b.sourceIp) !== isIP(b.neighborIp)) {
          // keepalived prints the source address twice here; so do we, to match its output.
          p.diag.error(at, `Configuration error: BFD instance ${name} source address ${b.sourceIp} and neighbor address ${b.sourceIp} are not of the same family, disabling instance`, s.words[0]);
          return;
        }
        cfg.bfdInstances.push(b);
      });
    },
  };
}

function trackProcessKeyword(cfg: KeepalivedConfig): KeywordTable {
  return {
    vrrp_track_process: (s, p) => {
      if (!needArg(s, p)) return skipBlock;
      const name = s.words[1] as string;
      let proc: string | undefined;
      let weightSet = false;
      const tp: Omit<TrackProcess, 'process'> = {
        name, pos: s.pos, args: [], paramMatch: undefined, fullCommand: false, weight: 0, weightReverse: false,
        quorum: 1, quorumMax: undefined, forkDelayMs: 0, terminateDelayMs: 0,
      };
      const delay = (which: 'fork' | 'terminate' | 'both') => (ks: Stmt, kp: Parser): void => {
        if (!needArg(ks, kp)) return;
        const v = readDecimalFixed(ks, kp, 1, 0.000001, 3600);
        if (v === undefined) {
          const prefix = which === 'both' ? '' : `${which}_`;
          kp.diag.error(ks.pos, `${prefix}delay (${ks.words[1]}) for vrrp_track_process ${name} must be between [0.000001..3600] inclusive. Ignoring...`, ks.words[0]);
          return;
        }
        if (which !== 'fork') tp.terminateDelayMs = secondsToMs(v);
        if (which !== 'terminate') tp.forkDelayMs = secondsToMs(v);
      };
      return tableBlock({
        process: (ks, kp) => {
          if (!needArg(ks, kp)) return;
          if (proc !== undefined) {
            kp.diag.error(ks.pos, `Process already set for track process ${name} - ignoring ${ks.words[1]}`, ks.words[0]);
            return;
          }
          proc = ks.words[1];
          tp.args = ks.words.slice(2);
          if (tp.args.length > 0) {
            tp.paramMatch ??= 'exact';
            tp.fullCommand = true;
          }
        },
        param_match: (ks, kp) => {
          const m = ks.words[1];
          if (m === undefined) tp.paramMatch = 'exact';
          else if (m === 'initial' || m === 'partial') tp.paramMatch = m;
          else {
            kp.diag.error(ks.pos, `Invalid param_match type ${m} - ignoring`, ks.words[0]);
            return;
          }
          tp.fullCommand = true;
        },
        weight: (ks, kp) => {
          if (ks.words.length < 2) {
            kp.diag.error(ks.pos, `No weight specified for track process ${name} - ignoring`, ks.words[0]);
            return;
          }
          if (weightSet) {
            kp.diag.error(ks.pos, `Weight already set for track process ${name} - ignoring ${ks.words[1]}`, ks.words[0]);
            return;
          }
          const w = readInt(ks, kp, 1, -254, 254);
          if (w === undefined) {
            kp.diag.error(ks.pos, `Weight (${ks.words[1]}) for vrrp_track_process ${name} must be between [-254..254] inclusive. Ignoring...`, ks.words[0]);
            return;
          }
          const opt = ks.words[2];
          if (opt === 'reverse') tp.weightReverse = true;
          else if (opt !== undefined) kp.diag.error(ks.pos, `vrrp_track_process ${name} unknown weight option ${opt}`, ks.words[0]);
          tp.weight = w;
          weightSet = w !== 0;
        },
        quorum: (ks, kp) => {
          if (!needArg(ks, kp)) return;
          const q = readInt(ks, kp, 1, 1, 65535);
          if (q === undefined) kp.diag.error(ks.pos, `Quorum (${ks.words[1]}) for vrrp_track_process ${name} must be between [1..65535] inclusive. Ignoring...`, ks.words[0]);
          else if (tp.quorumMax !== undefined && q > tp.quorumMax) kp.diag.error(ks.pos, 'Quorum is greater than quorum_max - ignoring', ks.words[0]);
          else tp.quorum = q;
        },
        quorum_max: (ks, kp) => {
          if (!needArg(ks, kp)) return;
          const q = readInt(ks, kp, 1, 0, 65535);
          if (q === undefined) {
            kp.diag.error(ks.pos, `quorum_max (${ks.words[1]}) for vrrp_track_process ${name} must be between [0..65535] inclusive. Ignoring...`, ks.words[0]);
            return;
          }
          if ((q !== 0 || tp.quorum > 1) && q < tp.quorum) {
            kp.diag.error(ks.pos, 'quorum_max is less than quorum - ignoring', ks.words[0]);
            return;
          }
          tp.quorumMax = q;
          if (q === 0) tp.quorum = 0;
        },
        delay: delay('both'),
        terminate_delay: delay('terminate'),
        fork_delay: delay('fork'),
        full_command: () => { tp.fullCommand = true; },
      }, (closePos) => {
        if (proc === undefined) {
          p.diag.error(endPos(closePos, s.pos), `track process '${name}' process name not specified`, s.words[0]);
          return;
        }
        cfg.trackProcesses.push({ ...tp, process: proc });
      });
    },
  };
}

export function bfdAndProcessKeywords(cfg: KeepalivedConfig): KeywordTable {
  return { ...bfdKeyword(cfg), ...trackProcessKeyword(cfg) };
}
