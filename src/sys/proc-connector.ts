// The kernel's process events connector (NETLINK_CONNECTOR, CN_IDX_PROC; linux/cn_proc.h),
// which keepalived's track_process listens to so that it never polls /proc. Only the
// process-level events vrrp_track_process needs are passed on: fork, exec, comm change
// and exit, with thread events left out (pid != tgid). The connector exists only in the
// initial network namespace and needs CAP_NET_ADMIN; open() throws elsewhere and the
// caller polls /proc instead.
import { SysError } from '../core/errors.js';
import type { ProcessEvent } from '../core/process-table.js';
import { NLMSG, NLMSG_HDRLEN, parseMessages } from './netlink-codec.js';
import { native, type NativeAddon } from './native.js';

/** linux/netlink.h */
const NETLINK_CONNECTOR = 11;
/** linux/connector.h: the proc connector's id. */
const CN_IDX_PROC = 1;
const CN_VAL_PROC = 1;
const CN_MSG_LEN = 20;
/** linux/cn_proc.h enum proc_cn_mcast_op */
const PROC_CN_MCAST_LISTEN = 1;
/** linux/cn_proc.h enum what */
export const PROC_EVENT = { FORK: 0x1, EXEC: 0x2, COMM: 0x200, EXIT: 0x80000000 } as const;
/** struct proc_event: what, cpu, timestamp_ns, then event_data. */
const EVENT_DATA = 16;

/** The subscribe request: nlmsghdr + cn_msg + PROC_CN_MCAST_LISTEN. */
export function encodeListen(portId: number): Buffer {
  const b = Buffer.alloc(NLMSG_HDRLEN + CN_MSG_LEN + 4);
  b.writeUInt32LE(b.length, 0);
  b.writeUInt16LE(NLMSG.DONE, 4);
  b.writeUInt32LE(portId >>> 0, 12);
  let at = NLMSG_HDRLEN;
  b.writeUInt32LE(CN_IDX_PROC, at);
  b.writeUInt32LE(CN_VAL_PROC, at + 4);
  b.writeUInt16LE(4, at + 16);
  at += CN_MSG_LEN;
  b.writeUInt32LE(PROC_CN_MCAST_LISTEN, at);
  return b;
}

/** One cn_msg carrying a struct proc_event, or null for anything else (threads included). */
export function decodeProcEvent(body: Buffer): ProcessEvent | null {
  if (body.length < CN_MSG_LEN + EVENT_DATA) return null;
  if (body.readUInt32LE(0) !== CN_IDX_PROC || body.readUInt32LE(4) !== CN_VAL_PROC) return null;
  const ev = body.subarray(CN_MSG_LEN, CN_MSG_LEN + body.readUInt16LE(16));
  if (ev.length < EVENT_DATA + 8) return null;
  const what = ev.readUInt32LE(0);
  const d = EVENT_DATA;
  switch (what) {
    case PROC_EVENT.FORK: {
      if (ev.length < d + 16) return null;
      // parent_pid, parent_tgid, child_pid, child_tgid: a new thread has child_pid != child_tgid.
      const childPid = ev.readUInt32LE(d + 8);
      if (childPid !== ev.readUInt32LE(d + 12)) return null;
      return { kind: 'fork', ppid: ev.readUInt32LE(d + 4), pid: childPid };
    }
    case PROC_EVENT.EXEC:
    case PROC_EVENT.COMM:
    case PROC_EVENT.EXIT: {
      const pid = ev.readUInt32LE(d);
      if (pid !== ev.readUInt32LE(d + 4)) return null;
      return { kind: what === PROC_EVENT.EXEC ? 'exec' : what === PROC_EVENT.COMM ? 'comm' : 'exit', pid };
    }
    default:
      return null;
  }
}

export class ProcConnector {
  readonly #n: NativeAddon;
  readonly #fd: number;
  readonly #buf = Buffer.allocUnsafe(64 * 1024);
  readonly #poll: object;
  #closed = false;

  /** Throws (SysError) when the connector is not available here. */
  constructor(cb: (ev: ProcessEvent) => void) {
    this.#n = native();
    const n = this.#n;
    let fd: number;
    try {
      fd = n.socket(n.AF_NETLINK, n.SOCK_RAW, NETLINK_CONNECTOR);
    } catch (e) {
      throw new SysError('socket', `process connector: ${(e as Error).message}`, (e as { code?: string }).code, { cause: e });
    }
    this.#fd = fd;
    try {
      n.setsockoptInt(fd, n.SOL_SOCKET, n.SO_RCVBUF, 1024 * 1024);
      n.bindNetlink(fd, CN_IDX_PROC);
      n.sendNetlink(fd, encodeListen(process.pid));
    } catch (e) {
      n.close(fd);
      throw new SysError('bind', `process connector: ${(e as Error).message}`, (e as { code?: string }).code, { cause: e });
    }
    this.#poll = n.pollStart(fd, () => this.#read(cb));
  }

  #read(cb: (ev: ProcessEvent) => void): void {
    for (;;) {
      if (this.#closed) return;
      let r;
      try {
        r = this.#n.recvMsg(this.#fd, this.#buf);
      } catch {
        // ENOBUFS: the kernel dropped events.
        cb({ kind: 'lost' });
        return;
      }
      if (r === null) return;
      for (const m of parseMessages(this.#buf.subarray(0, Math.min(r.bytes, this.#buf.length)))) {
        if (m.type !== NLMSG.DONE) continue;
        const ev = decodeProcEvent(m.body);
        if (ev !== null) cb(ev);
      }
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#n.pollStop(this.#poll);
    this.#n.close(this.#fd);
  }
}
