// Account lookups for scripts, as keepalived's set_uid_gid(): the user by name (getpwnam:
// a numeric "0" is a name like any other, and no such user exists), its primary group
// unless a group is named. Names are read from /etc/passwd and /etc/group (files only:
// NSS sources such as LDAP are not consulted). The default-user rules (script_user,
// keepalived_script, fall-back to the daemon's uid) live in src/config/validate-scripts.ts.
import { readFileSync } from 'node:fs';
import type { AccountLookup } from '../../config/host.js';

export interface AccountFiles {
  passwd: string;
  group: string;
}

export function readAccounts(): AccountFiles {
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

/** Resolve `user [group]` with keepalived's messages. */
export function resolveIdentity(user: string, group: string | undefined, files: AccountFiles = readAccounts()): AccountLookup {
  const pw = lookup(files.passwd, user);
  if (pw?.[2] === undefined || pw[3] === undefined) return { ok: false, message: `Script user '${user}' does not exist` };
  const uid = Number(pw[2]);
  let gid = Number(pw[3]);
  if (group !== undefined) {
    const gr = lookup(files.group, group);
    if (gr?.[2] === undefined) return { ok: false, message: `Script group '${group}' does not exist` };
    gid = Number(gr[2]);
  }
  return { ok: true, uid, gid, label: group !== undefined ? `${user}:${group}` : user };
}
