// What the host looks like, for the host-dependent checks (interface exists, VIP inside
// an interface subnet). Kept apart from the host-independent validation, as kube-vip
// separates config_validation from runtime checks; the CLI fills it in.
import type { Prefix } from './readers.js';

export interface HostInterface {
  readonly name: string;
  readonly loopback: boolean;
  readonly prefixes: readonly Prefix[];
}

export interface HostInfo {
  readonly interfaces: readonly HostInterface[];
}

/** keepalived's script flags (lib/notify.h SC_*), as check_script_secure() returns them. */
export const SC = {
  /** The file exists: it counts towards "SECURITY VIOLATION - scripts are being executed". */
  ISSCRIPT: 1,
  EXECUTABLE: 2,
  /** Must not run (insecure with enable_script_security, wrong file type, cannot take the identity). */
  INHIBIT: 4,
  NOTFOUND: 8,
  INSECURE: 16,
  /** `</path`: a "can it be opened" test for the shell; nothing is executed. */
  SYSTEM: 32,
} as const;

/** What check_script_secure() found for one script. */
export interface ScriptCheck {
  readonly flags: number;
  /** The argv[0] to exec: PATH searched, symlinked directories resolved, file name kept. */
  readonly path: string;
  /** keepalived's log lines for it ("Unsafe permissions found for script ..."), plus the unsafe component. */
  readonly messages: readonly string[];
  /** No #! and no ELF magic (keepalived: "Please add a #! shebang"): run by /bin/sh -c. */
  readonly viaShell: boolean;
}

export type AccountLookup =
  | { readonly ok: true; readonly uid: number; readonly gid: number; readonly label: string }
  | { readonly ok: false; readonly message: string };

/** The host's side of the script audit: accounts and file permissions (src/sys/script/). */
export interface ScriptHost {
  /** The daemon's own uid:gid (the default script user when keepalived_script does not exist). */
  readonly self: { readonly uid: number; readonly gid: number };
  /** getpwnam/getgrnam: "Script user 'x' does not exist" when it fails. */
  lookup(user: string, group: string | undefined): AccountLookup;
  check(argv0: string, uid: number, gid: number, enforce: boolean): ScriptCheck;
}
