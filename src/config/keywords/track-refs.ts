// track_interface / track_script / track_file / track_process / track_bfd blocks of an
// instance or sync group: `NAME [weight W [reverse|noreverse]]` per line, read as
// keepalived's alloc_track_*() (keepalived/vrrp/vrrp_track.c). References resolve at
// parse time against the objects defined so far, as in keepalived.
import type { Stmt } from '../lexer.js';
import type { KeepalivedConfig } from '../model/index.js';
import type { TrackRef, TrackSet } from '../model/trackers.js';
import type { Block, Parser } from '../parser.js';
import { linesBlock } from '../parser.js';

export type TrackKind = 'interfaces' | 'scripts' | 'files' | 'processes' | 'bfds';

interface KindSpec {
  /** The tracked object's own weight, or undefined when it does not exist (interfaces always exist here). */
  defaults(cfg: KeepalivedConfig, name: string): { weight: number; reverse: boolean } | undefined;
  notFound: string;
  dup: string;
  unknownOption: (owner: string, name: string, opt: string) => string;
  noValue: string;
  min: number;
  max: number;
  badWeight: (owner: string, name: string, w: string) => string;
  /** ±254 accepted by the reader but turned into ±253 (interfaces, scripts). */
  clamp254: boolean;
  badWeightOption: (owner: string, name: string, opt: string) => string;
  /** An unknown weight option drops the line (files, bfds) instead of being ignored. */
  dropOnBadOption: boolean;
  noreverse: boolean;
}

const SPECS: Record<TrackKind, KindSpec> = {
  interfaces: {
    defaults: () => ({ weight: 0, reverse: false }),
    notFound: 'tracked interface', dup: 'track_interface',
    unknownOption: (o, n, opt) => `(${o}) unknown track_interface ${n} option ${opt} - ignoring`,
    noValue: 'track_interface', min: -254, max: 254,
    badWeight: (o, n, w) => `(${o}) weight ${w} for ${n} must be between [-253..253] inclusive. Ignoring...`,
    clamp254: true,
    // "interace": keepalived's spelling.
    badWeightOption: (o, n, opt) => `(${o}) unknown track_interace ${n} weight option ${opt} - ignoring`,
    dropOnBadOption: false, noreverse: false,
  },
  scripts: {
    defaults: (cfg, n) => {
      const sc = cfg.vrrpScripts.find((x) => x.name === n);
      return sc === undefined ? undefined : { weight: sc.weight, reverse: sc.weightReverse };
    },
    notFound: 'track script', dup: 'track_script',
    unknownOption: (o, _n, opt) => `(${o}) unknown track script option ${opt} - ignoring`,
    noValue: 'track script', min: -254, max: 254,
    badWeight: (o, n) => `(${o}) track script ${n}: weight must be between [-253..253] inclusive, ignoring...`,
    clamp254: true,
    badWeightOption: (o, n, opt) => `(${o}) unknown track_script ${n} weight option ${opt} - ignoring`,
    dropOnBadOption: false, noreverse: true,
  },
  files: {
    defaults: (cfg, n) => {
      const f = cfg.trackFiles.find((x) => x.name === n);
      return f === undefined ? undefined : { weight: f.weight, reverse: f.weightReverse };
    },
    notFound: 'track file', dup: 'track_file',
    unknownOption: (o, _n, opt) => `(${o}) unknown track file option ${opt} - ignoring`,
    noValue: 'track file', min: -254, max: 254,
    badWeight: (o, n) => `(${o}) weight for track file ${n} must be in [-254..254] inclusive. Ignoring...`,
    clamp254: false,
    badWeightOption: (o, n, opt) => `(${o}) unknown track file ${n} weight option ${opt} - ignoring`,
    dropOnBadOption: true, noreverse: true,
  },
  processes: {
    defaults: (cfg, n) => {
      const tp = cfg.trackProcesses.find((x) => x.name === n);
      return tp === undefined ? undefined : { weight: tp.weight, reverse: tp.weightReverse };
    },
    notFound: 'track process', dup: 'track_process',
    unknownOption: (o, _n, opt) => `(${o}) unknown track process option ${opt} - ignoring`,
    noValue: 'track process', min: -254, max: 254,
    badWeight: (o, n) => `(${o}) weight for track process ${n} must be in [-254..254] inclusive. Ignoring...`,
    clamp254: false,
    badWeightOption: (o, n, opt) => `(${o}) unknown track_process ${n} weight option ${opt} - ignoring`,
    dropOnBadOption: false, noreverse: true,
  },
  bfds: {
    defaults: (cfg, n) => {
      const b = cfg.bfdInstances.find((x) => x.name === n);
      return b === undefined ? undefined : { weight: b.weight, reverse: b.weightReverse };
    },
    notFound: 'track bfd', dup: 'track_bfd',
    unknownOption: (o, n, opt) => `(${o}) unknown track bfd ${n} option ${opt} - ignoring`,
    noValue: 'track bfd', min: -253, max: 253,
    badWeight: (o, n) => `(${o}) weight for track bfd ${n} must be in [-253..253] inclusive. Ignoring...`,
    clamp254: false,
    badWeightOption: (o, n, opt) => `(${o}) unknown track bfd ${n} weight option ${opt} - ignoring`,
    dropOnBadOption: true, noreverse: true,
  },
};

function trackLine(cfg: KeepalivedConfig, kind: TrackKind, owner: string, list: TrackRef[], s: Stmt, p: Parser): void {
  const spec = SPECS[kind];
  const name = s.words[0] as string;
  const err = (m: string): void => p.diag.error(s.pos, m, name);
  const dflt = spec.defaults(cfg, name);
  if (dflt === undefined) {
    err(`(${owner}) ${spec.notFound} ${name} not found, ignoring...`);
    return;
  }
  if (list.some((r) => r.name === name)) {
    err(`(${owner}) duplicate ${spec.dup} ${name} - ignoring`);
    return;
  }
  let { weight, reverse } = dflt;
  const opt = s.words[1];
  if (opt !== undefined) {
    if (opt !== 'weight') {
      err(spec.unknownOption(owner, name, opt));
      return;
    }
    const wText = s.words[2];
    if (wText === undefined) {
      err(`(${owner}) weight without value specified for ${spec.noValue} ${name} - ignoring`);
      return;
    }
    const v = /^[-+]?\d+$/.test(wText) ? Number(wText) : Number.NaN;
    if (Number.isNaN(v) || v < spec.min || v > spec.max) {
      err(Number.isNaN(v) ? `invalid number '${wText}'` : `number '${wText}' outside range [${spec.min}, ${spec.max}]`);
      err(spec.badWeight(owner, name, wText));
      weight = kind === 'interfaces' ? 0 : dflt.weight;
    } else if (spec.clamp254 && Math.abs(v) === 254) {
      err(`(${owner}) weight for ${name} cannot be +/-254. Setting to +/-253`);
      weight = v > 0 ? 253 : -253;
    } else weight = v;
    const wopt = s.words[3];
    if (wopt === 'reverse') reverse = true;
    else if (wopt === 'noreverse' && spec.noreverse) reverse = false;
    else if (wopt !== undefined) {
      err(spec.badWeightOption(owner, name, wopt));
      if (spec.dropOnBadOption) return;
    }
  }
  list.push({ name, pos: s.pos, weight, reverse });
}

/** The block of one track_* keyword of `owner` (an instance or sync group name). */
export function trackBlock(cfg: KeepalivedConfig, kind: TrackKind, owner: string, track: TrackSet, p: Parser): Block {
  return linesBlock((s) => trackLine(cfg, kind, owner, track[kind], s, p));
}

/** The track_* keywords shared by vrrp_instance and vrrp_sync_group. */
export function trackKeywords(cfg: KeepalivedConfig, owner: () => string, track: TrackSet): Record<string, (s: Stmt, p: Parser) => Block> {
  return {
    track_interface: (_s, p) => trackBlock(cfg, 'interfaces', owner(), track, p),
    track_script: (_s, p) => trackBlock(cfg, 'scripts', owner(), track, p),
    track_file: (_s, p) => trackBlock(cfg, 'files', owner(), track, p),
    track_process: (_s, p) => trackBlock(cfg, 'processes', owner(), track, p),
    track_bfd: (_s, p) => trackBlock(cfg, 'bfds', owner(), track, p),
  };
}
