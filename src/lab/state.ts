// Where a lab keeps what it made, so `status`, `drill` and `down` work from another
// process: /run/halb-lab/<name>/ (or $HALB_LAB_DIR/<name>/) holds state.json, each
// director's keepalived.conf, control socket, pid files and logs. state.json is
// replaced atomically (write, then rename), and a drill holds a lock file so two drills
// never drive one lab at once.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { HalbError } from '../core/errors.js';
import { isAlive } from '../sys/netns.js';
import type { LabOptions, Topology } from './topology.js';

export const DEFAULT_LAB_ROOT = '/run/halb-lab';

/** A process the lab started and may have to stop or restart. */
export interface LabProcess {
  /** Host role (dir1, rs2, ...). */
  readonly host: string;
  /** What it is: 'halb', 'halb-lvs' (halb -C beside keepalived), 'keepalived', 'web', 'bird' (the --ecmp router). */
  readonly kind: 'halb' | 'halb-lvs' | 'keepalived' | 'web' | 'bird';
  readonly ns: string;
  readonly pid: number;
  readonly argv: readonly string[];
  readonly log: string;
  readonly startedAt: number;
}

export interface LabState {
  readonly version: 1;
  readonly name: string;
  readonly dir: string;
  readonly createdAt: number;
  readonly options: LabOptions;
  readonly topology: Topology;
  /** Keyed `<host>/<kind>`. */
  processes: Record<string, LabProcess>;
  /** Directors whose power is off (a drill crashed them and has not brought them back). */
  poweredOff: string[];
  /** Web servers a drill stopped. */
  stoppedWeb: string[];
  /** The real server weight currently written in the configs. */
  weight: number;
  /** Whether `lab up` finished (a crash during up leaves false). */
  ready: boolean;
}

export function labRoot(): string {
  return process.env.HALB_LAB_DIR ?? DEFAULT_LAB_ROOT;
}

/** The directory of lab `name` ('' = default, kept as "default"). */
export function labDir(name: string, root = labRoot()): string {
  return join(root, name === '' ? 'default' : name);
}

export function statePath(dir: string): string {
  return join(dir, 'state.json');
}

export function readState(dir: string): LabState | undefined {
  const p = statePath(dir);
  if (!existsSync(p)) return undefined;
  try {
    const s = JSON.parse(readFileSync(p, 'utf8')) as LabState;
    return s.version === 1 ? s : undefined;
  } catch {
    return undefined;
  }
}

export function writeState(s: LabState): void {
  mkdirSync(s.dir, { recursive: true });
  const tmp = `${statePath(s.dir)}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(s, null, 2)}\n`);
  renameSync(tmp, statePath(s.dir));
}

export function processKey(host: string, kind: LabProcess['kind']): string {
  return `${host}/${kind}`;
}

/** Files of one director in the lab directory. */
export function directorFiles(dir: string, role: string): { conf: string; socket: string; pid: string; log: string; kaLog: string } {
  return {
    conf: join(dir, `${role}.conf`),
    socket: join(dir, `${role}.sock`),
    pid: join(dir, `${role}.pid`),
    log: join(dir, `${role}.log`),
    kaLog: join(dir, `${role}-keepalived.log`),
  };
}

/**
 * Take the drill lock of a lab; a lock left by a process that died is taken over.
 * Returns the release function.
 */
export function lockLab(dir: string): () => void {
  const path = join(dir, 'drill.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = Number(readFileSync(path, 'utf8').trim());
      if (Number.isInteger(holder) && holder > 0 && isAlive(holder)) {
        throw new HalbError('HALB_ERR_USAGE', `another drill (pid ${holder}) is driving this lab`);
      }
      rmSync(path, { force: true });
    }
  }
  throw new HalbError('HALB_ERR_USAGE', `cannot take the lab lock ${path}`);
}
