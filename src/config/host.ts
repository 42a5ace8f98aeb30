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
  /** Whether an absolute script path exists and is executable; absent = not checked. */
  readonly scriptExecutable?: (path: string) => boolean;
}
