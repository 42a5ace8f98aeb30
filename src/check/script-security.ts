// enable_script_security (keepalived lib/notify.c check_script_secure / check_security).
// A script that runs with root privileges (as uid 0 or gid 0, or set-uid/gid root) is
// refused when any component of its path could be changed by someone other than root:
// a component not owned by root, a group-writable one whose group is not root, or a
// world-writable one (directories with the sticky bit, like /tmp, are allowed). The
// message names the exact component and why. Without enable_script_security the same
// finding is a warning and the script runs.
import { accessSync, constants, lstatSync, realpathSync, statSync, type Stats } from 'node:fs';
import { basename, delimiter, dirname, join } from 'node:path';

export type SecurityProblem = 'not-found' | 'not-executable' | 'wrong-type' | 'insecure';

export type SecurityVerdict =
  | {
    readonly ok: true;
    /** The path to exec (PATH search and symlinked directories resolved). */
    readonly path: string;
    /** Findings that did not block (insecure path without enable_script_security). */
    readonly warnings: readonly string[];
  }
  | { readonly ok: false; readonly problem: SecurityProblem; readonly message: string; readonly component?: string };

export interface SecurityOptions {
  /** enable_script_security. */
  readonly enforce: boolean;
  /** Who runs the script. */
  readonly uid: number;
  readonly gid: number;
  /** PATH for bare command names (default process.env.PATH). */
  readonly pathEnv?: string;
}

function isExecutableBy(st: Stats, uid: number, gid: number): boolean {
  const m = st.mode;
  if (uid === 0) return (m & 0o111) !== 0;
  if (uid === st.uid) return (m & 0o100) !== 0;
  if (gid === st.gid) return (m & 0o010) !== 0;
  return (m & 0o001) !== 0;
}

function octal(mode: number): string {
  return `0${(mode & 0o7777).toString(8).padStart(3, '0')}`;
}

/** Why a component is unsafe, or undefined when it is safe (check_security's test). */
export function componentProblem(st: Stats): string | undefined {
  if (st.uid !== 0) return `is owned by uid ${st.uid}, not root`;
  const mode = st.mode;
  const dir = st.isDirectory();
  const sticky = (mode & 0o1000) !== 0;
  if ((dir && !sticky) || st.isFile()) {
    if (st.gid !== 0 && (mode & 0o020) !== 0) return `is writable by group ${st.gid} (mode ${octal(mode)})`;
    if ((mode & 0o002) !== 0) return `is writable by everyone (mode ${octal(mode)})`;
  }
  return undefined;
}

/** Every prefix of an absolute path, '/' first: /a/b/c -> /, /a, /a/b, /a/b/c. */
export function pathPrefixes(p: string): string[] {
  const parts = p.split('/').filter((x) => x !== '');
  const out = ['/'];
  for (let i = 0; i < parts.length; i++) out.push(`/${parts.slice(0, i + 1).join('/')}`);
  return out;
}

/** check_security(): walk the path without following symlinks. */
function walk(path: string): { problem: SecurityProblem; component: string; why: string } | undefined {
  const prefixes = pathPrefixes(path);
  for (let i = 0; i < prefixes.length; i++) {
    const c = prefixes[i] as string;
    let st: Stats;
    try {
      st = lstatSync(c);
    } catch (e) {
      return { problem: 'not-found', component: c, why: `cannot be examined (${(e as NodeJS.ErrnoException).code ?? String(e)})` };
    }
    const last = i === prefixes.length - 1;
    if ((!last && !st.isDirectory()) || (last && !st.isFile() && !st.isSymbolicLink())) {
      return { problem: 'wrong-type', component: c, why: last ? 'is not a regular file' : 'is not a directory' };
    }
    const why = componentProblem(st);
    if (why !== undefined) return { problem: 'insecure', component: c, why };
  }
  return undefined;
}

function searchPath(cmd: string, o: SecurityOptions): string | undefined {
  for (const dir of (o.pathEnv ?? process.env.PATH ?? '/usr/bin:/bin').split(delimiter)) {
    const p = join(dir === '' ? '.' : dir, cmd);
    try {
      const st = statSync(p);
      if (st.isFile() && isExecutableBy(st, o.uid, o.gid)) return p;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

export function checkScriptSecurity(argv0: string, o: SecurityOptions): SecurityVerdict {
  // `</path`: a "can this be opened" test run by the shell; nothing is executed.
  if (/^<[ \t]*\//.test(argv0)) return { ok: true, path: argv0, warnings: [] };
  let given = argv0;
  if (!given.includes('/')) {
    const found = searchPath(given, o);
    if (found === undefined) return { ok: false, problem: 'not-found', message: `Cannot find script ${argv0} in path` };
    given = found;
  }
  // Resolve symlinked directories but keep the file's own name: some programs act on argv[0].
  let path: string;
  let real: string;
  try {
    path = join(realpathSync(dirname(given)), basename(given));
    real = realpathSync(given);
  } catch (e) {
    return { ok: false, problem: 'not-found', message: `Script ${argv0} cannot be accessed - ${(e as NodeJS.ErrnoException).code ?? String(e)}` };
  }
  let st: Stats;
  try {
    st = statSync(real);
    accessSync(real, constants.F_OK);
  } catch {
    return { ok: false, problem: 'not-found', message: `Unable to access script \`${argv0}\`` };
  }
  if (!isExecutableBy(st, o.uid, o.gid)) {
    return { ok: false, problem: 'not-executable', message: `script '${path}' is not executable for uid:gid ${o.uid}:${o.gid}`, component: path };
  }
  const setuidRoot = st.uid === 0 && (st.mode & 0o4100) === 0o4100;
  const setgidRoot = st.gid === 0 && (st.mode & 0o2010) === 0o2010;
  if (o.uid !== 0 && o.gid !== 0 && !setuidRoot && !setgidRoot) return { ok: true, path, warnings: [] };
  const warnings: string[] = [];
  for (const p of path === real ? [path] : [path, real]) {
    const f = walk(p);
    if (f === undefined) continue;
    const message = f.problem === 'insecure'
      ? `Unsafe permissions found for script '${argv0}': '${f.component}' ${f.why}`
      : `Script '${argv0}': '${f.component}' ${f.why}`;
    // A wrong file type or a vanished component blocks even without enable_script_security.
    if (f.problem !== 'insecure' || o.enforce) return { ok: false, problem: f.problem, message, component: f.component };
    warnings.push(message);
  }
  return { ok: true, path, warnings };
}
