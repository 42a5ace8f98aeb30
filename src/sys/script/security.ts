// keepalived's check_script_secure() and check_security() (lib/notify.c): find the script
// (PATH search for a bare name), resolve symlinks, check the script user may execute it,
// and, when it would run with root privileges (as uid 0 or gid 0, or set-uid/gid root),
// walk every component of its path, and of the symlink's target, without following
// symlinks: a component not owned by root, a group-writable one whose group is not root,
// or a world-writable one (directories with the sticky bit, like /tmp, are allowed) is
// unsafe. keepalived names only the script; the message here names the component too.
// With enable_script_security an unsafe script is inhibited; without, it is flagged.
// The realpath and PATH search run as the daemon (keepalived switches euid for them):
// a directory the script user cannot search is not detected here.
import { lstatSync, realpathSync, statSync, type Stats } from 'node:fs';
import { delimiter } from 'node:path';
import { SC, type ScriptCheck } from '../../config/host.js';
import { hasExecMagic, isOpenTest } from './exec.js';

/** is_executable(): root needs any x bit, the owner the user bit, the group the group bit, others the other bit. */
export function isExecutableBy(st: { mode: number; uid: number; gid: number }, uid: number, gid: number): boolean {
  const m = st.mode;
  return (uid === 0 && (m & 0o111) !== 0)
    || (uid === st.uid && (m & 0o100) !== 0)
    || (uid !== st.uid && ((gid === st.gid && (m & 0o010) !== 0) || (gid !== st.gid && (m & 0o001) !== 0)));
}

function octal(mode: number): string {
  return `0${(mode & 0o7777).toString(8).padStart(3, '0')}`;
}

/** Why a component is unsafe, or undefined when it is safe (check_security's test). */
export function componentProblem(st: Pick<Stats, 'uid' | 'gid' | 'mode' | 'isDirectory' | 'isFile'>): string | undefined {
  if (st.uid !== 0) return `is owned by uid ${st.uid}, not root`;
  const mode = st.mode;
  const sticky = (mode & 0o1000) !== 0;
  if ((st.isDirectory() && !sticky) || st.isFile()) {
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

/** check_security(): the flags for one path and keepalived's message, naming the unsafe component. */
function checkSecurity(filename: string, enforce: boolean, messages: string[]): number {
  const prefixes = pathPrefixes(filename);
  for (let i = 0; i < prefixes.length; i++) {
    const c = prefixes[i] as string;
    const last = i === prefixes.length - 1;
    let st: Stats;
    try {
      st = lstatSync(c);
    } catch {
      messages.push(`check_script_secure could not find script '${filename}' - disabling`);
      return SC.NOTFOUND;
    }
    if ((!last && !st.isDirectory()) || (last && !st.isFile() && !st.isSymbolicLink())) {
      messages.push(`Wrong file type found in script path '${filename}'.`);
      return SC.INHIBIT;
    }
    const why = componentProblem(st);
    if (why !== undefined) {
      messages.push(`Unsafe permissions found for script '${filename}'${enforce ? ' - disabling' : ''}: '${c}' ${why}.`);
      return SC.INSECURE | (enforce ? SC.INHIBIT : 0);
    }
  }
  return 0;
}

/** find_path(): the first regular file on PATH the user may execute; EACCES when only unusable ones were found. */
function findPath(cmd: string, uid: number, gid: number, pathEnv: string): { path: string } | { error: 'ENOENT' | 'EACCES' } {
  let eacces = false;
  for (const dir of pathEnv.split(delimiter)) {
    const p = `${dir}/${cmd}`.replace(/^\//, dir === '' ? '' : '/');
    try {
      const st = statSync(p);
      if (st.isFile() && isExecutableBy(st, uid, gid)) return { path: p };
      eacces = true;
    } catch {
      // not in this directory
    }
  }
  return { error: eacces ? 'EACCES' : 'ENOENT' };
}

export interface CheckOptions {
  /** PATH for bare command names (default: the daemon's PATH). */
  readonly pathEnv?: string;
}

export function checkScriptSecure(argv0: string, uid: number, gid: number, enforce: boolean, o: CheckOptions = {}): ScriptCheck {
  const messages: string[] = [];
  if (isOpenTest(argv0)) return { flags: SC.SYSTEM, path: argv0, messages, viaShell: true };
  let given = argv0;
  if (!given.includes('/')) {
    const found = findPath(given, uid, gid, o.pathEnv ?? process.env.PATH ?? '/usr/bin:/bin');
    if ('error' in found) {
      messages.push(found.error === 'EACCES' ? `Permissions failure for script ${argv0} in path - disabling` : `Cannot find script ${argv0} in path - disabling`);
      return { flags: SC.NOTFOUND, path: argv0, messages, viaShell: false };
    }
    messages.push(`WARNING - script \`${argv0}\` resolved by path search to \`${found.path}\`. Please specify full path.`);
    given = found.path;
  }
  let real: string;
  try {
    real = realpathSync(given);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    messages.push(`Script ${given} cannot be accessed - ${code === 'ENOENT' ? 'No such file or directory' : code}`);
    return { flags: SC.NOTFOUND, path: given, messages, viaShell: false };
  }
  // Keep the file name as written (some programs act on argv[0]) when it is the same file.
  let path = real;
  let realFile: string | undefined;
  const wantName = given.slice(given.lastIndexOf('/') + 1);
  if (real !== given && real.slice(real.lastIndexOf('/') + 1) !== wantName) {
    const renamed = `${real.slice(0, real.lastIndexOf('/') + 1)}${wantName}`;
    try {
      const a = statSync(real);
      const b = statSync(renamed);
      if (a.dev === b.dev && a.ino === b.ino) {
        path = renamed;
        realFile = real;
      }
    } catch {
      // not the same file: exec the target itself
    }
  }
  let st: Stats;
  try {
    st = statSync(realFile ?? path);
  } catch {
    messages.push(`Unable to access script \`${path}\` - disabling`);
    return { flags: SC.NOTFOUND, path, messages, viaShell: false };
  }
  let flags: number = SC.ISSCRIPT;
  let needProtection = false;
  let viaShell = false;
  if (isExecutableBy(st, uid, gid)) {
    flags |= SC.EXECUTABLE;
    needProtection = uid === 0 || gid === 0
      || (st.uid === 0 && (st.mode & 0o4100) === 0o4100)
      || (st.gid === 0 && (st.mode & 0o2010) === 0o2010);
    if (!hasExecMagic(realFile ?? path)) {
      messages.push(`Please add a #! shebang to script ${path}`);
      viaShell = true;
    }
  } else {
    messages.push(`WARNING - script '${path}' is not executable for uid:gid ${uid}:${gid} - disabling.`);
  }
  if (!needProtection) return { flags, path, messages, viaShell };
  // The resolved path as it will be exec'd, then (when the name was kept) the file it is.
  flags |= checkSecurity(path, enforce, messages);
  if (realFile !== undefined) flags |= checkSecurity(realFile, enforce, messages);
  return { flags, path, messages, viaShell };
}
