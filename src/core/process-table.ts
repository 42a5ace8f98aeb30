// The process table as vrrp_track_process sees it, shared by the readers in src/sys/
// (/proc scans, the kernel's process connector) and the VRRP engine's process port.

/** A process as /proc shows it (zombies left out). */
export interface ProcessEntry {
  readonly pid: number;
  readonly ppid: number;
  /** /proc/PID/comm (at most 15 bytes). */
  readonly comm: string;
  /** /proc/PID/cmdline split at NUL, when asked for. */
  readonly cmdline?: readonly string[];
}

/** What the kernel's process connector reports (threads left out). */
export type ProcessEvent =
  | { readonly kind: 'fork'; readonly ppid: number; readonly pid: number }
  | { readonly kind: 'exec'; readonly pid: number }
  | { readonly kind: 'comm'; readonly pid: number }
  | { readonly kind: 'exit'; readonly pid: number }
  /** Events were lost (receive buffer overrun): rescan. */
  | { readonly kind: 'lost' };
