// Reading processes from /proc for vrrp_track_process, as keepalived's read_procs and
// check_process do: the name and state from /proc/PID/stat (zombies are not running, so
// they do not count), the command line from /proc/PID/cmdline only when a tracker matches
// on it (reading it can page in a swapped-out process). Reads are asynchronous so a
// large process table does not stall the VRRP thread's timers.
import { readdir, readFile } from 'node:fs/promises';
import type { ProcessEntry } from '../core/process-table.js';

/**
 * /proc/PID/stat: "pid (comm) S ppid ...". The name may itself hold spaces and
 * parentheses, so it ends at the last ')'. undefined for a zombie or a malformed line.
 */
export function parseStat(text: string): { comm: string; state: string; ppid: number } | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const rest = text.slice(close + 2).split(' ');
  const state = rest[0];
  const ppid = Number(rest[1]);
  if (state === undefined || !Number.isInteger(ppid)) return undefined;
  return { comm: text.slice(open + 1, close), state, ppid };
}

/** /proc/PID/cmdline: NUL-separated arguments, usually with a trailing NUL. */
export function parseCmdline(raw: Buffer): string[] {
  const text = raw.toString('utf8');
  const parts = text.split('\0');
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** One process, or undefined when it has gone or is a zombie. */
export async function readProc(pid: number, withCmdline: boolean, root = '/proc'): Promise<ProcessEntry | undefined> {
  try {
    const st = parseStat(await readFile(`${root}/${pid}/stat`, 'utf8'));
    if (st === undefined || st.state === 'Z' || st.state === 'X') return undefined;
    if (!withCmdline) return { pid, ppid: st.ppid, comm: st.comm };
    const cmdline = parseCmdline(await readFile(`${root}/${pid}/cmdline`));
    // A kernel thread has an empty command line: it can only match by name.
    return { pid, ppid: st.ppid, comm: st.comm, cmdline };
  } catch {
    return undefined;
  }
}

/** Every running process, read a batch at a time. */
export async function listProcs(withCmdline: boolean, root = '/proc', batch = 64): Promise<ProcessEntry[]> {
  const pids = (await readdir(root)).filter((d) => /^[1-9]\d*$/.test(d)).map(Number);
  const out: ProcessEntry[] = [];
  for (let i = 0; i < pids.length; i += batch) {
    const got = await Promise.all(pids.slice(i, i + batch).map((pid) => readProc(pid, withCmdline, root)));
    for (const p of got) if (p !== undefined) out.push(p);
  }
  return out;
}
