// Who a script runs as (keepalived's set_script_uid_gid / get_default_script_user): the
// script's own `user [group]`, else global_defs script_user, else `keepalived_script` if
// that user exists, else the daemon's own uid:gid. Names are looked up in /etc/passwd and
// /etc/group (files only: NSS sources such as LDAP are not consulted).
import { readFileSync } from 'node:fs';

export interface ScriptIdentity {
  readonly uid: number;
  readonly gid: number;
  /** For messages: `name` or `uid:gid`. */
  readonly label: string;
}

export type IdentityResult = { readonly ok: true; readonly id: ScriptIdentity } | { readonly ok: false; readonly error: string };

export interface AccountFiles {
  passwd: string;
  group: string;
}

function readAccounts(): AccountFiles {
  const read = (p: string): string => {
    try {
      return readFileSync(p, 'utf8');
    } catch {
      return '';
    }
  };
  return { passwd: read('/etc/passwd'), group: read('/etc/group') };
}

function lookup(table: string, name: string): string[] | undefined {
  for (const line of table.split('\n')) {
    const f = line.split(':');
    if (f[0] === name) return f;
  }
  return undefined;
}

/** Resolve `user [group]`; numeric ids are taken as they are. */
export function resolveIdentity(user: string, group: string | undefined, files: AccountFiles = readAccounts()): IdentityResult {
  let uid: number;
  let gid: number;
  if (/^\d+$/.test(user)) {
    uid = Number(user);
    const pw = files.passwd.split('\n').map((l) => l.split(':')).find((f) => f[2] === user);
    gid = pw?.[3] !== undefined ? Number(pw[3]) : uid;
  } else {
    const pw = lookup(files.passwd, user);
    if (pw?.[2] === undefined || pw[3] === undefined) return { ok: false, error: `Script user '${user}' does not exist` };
    uid = Number(pw[2]);
    gid = Number(pw[3]);
  }
  if (group !== undefined) {
    if (/^\d+$/.test(group)) gid = Number(group);
    else {
      const gr = lookup(files.group, group);
      if (gr?.[2] === undefined) return { ok: false, error: `Script group '${group}' does not exist` };
      gid = Number(gr[2]);
    }
  }
  return { ok: true, id: { uid, gid, label: group !== undefined ? `${user}:${group}` : user } };
}

export interface DefaultUserOptions {
  /** global_defs script_user. */
  scriptUser?: { user: string; group?: string };
  files?: AccountFiles;
}

/** The identity a script without its own user runs as. */
export function defaultIdentity(o: DefaultUserOptions = {}): IdentityResult {
  const files = o.files ?? readAccounts();
  if (o.scriptUser !== undefined) return resolveIdentity(o.scriptUser.user, o.scriptUser.group, files);
  const ks = resolveIdentity('keepalived_script', undefined, files);
  if (ks.ok) return ks;
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  return { ok: true, id: { uid, gid, label: `${uid}:${gid}` } };
}

export function scriptIdentity(spec: { user?: string; group?: string }, o: DefaultUserOptions = {}): IdentityResult {
  if (spec.user !== undefined) return resolveIdentity(spec.user, spec.group, o.files ?? readAccounts());
  return defaultIdentity(o);
}
