// syslog(3) as glibc sends it: one datagram per message to the AF_UNIX socket /dev/log,
// `<PRI>Mmm dd hh:mm:ss IDENT[PID]: MESSAGE`, PRI = facility * 8 + severity. Node has no
// AF_UNIX datagram sockets, so the addon sends it (as for sd_notify). Like glibc, a
// missing or full socket drops the message: logging never stops the daemon.
import { native } from './native.js';

export const DEFAULT_SYSLOG_SOCKET = '/dev/log';

/** syslog severities (RFC 5424 §6.2.1). */
export const SEVERITY = { emerg: 0, alert: 1, crit: 2, err: 3, warning: 4, notice: 5, info: 6, debug: 7 } as const;

/** LOG_DAEMON, keepalived's facility without -S. */
export const FACILITY_DAEMON = 3;
/** keepalived's `-S N` (0..7) is LOG_LOCAL0 + N. */
export const localFacility = (n: number): number => 16 + n;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** glibc's header timestamp: `%h %e %T`, local time. */
export function syslogTime(d: Date): string {
  const p2 = (n: number): string => String(n).padStart(2, '0');
  return `${MONTHS[d.getMonth()] ?? 'Jan'} ${String(d.getDate()).padStart(2, ' ')} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}`;
}

export function syslogLine(o: { facility: number; severity: number; ident: string; pid: number; at: Date; msg: string }): string {
  return `<${o.facility * 8 + o.severity}>${syslogTime(o.at)} ${o.ident}[${o.pid}]: ${o.msg}`;
}

export interface SyslogSink {
  /** Send one message; false when it was dropped (no socket, no addon). */
  send(line: string): boolean;
}

/** A sender to `path`; throws only when the addon is missing (the caller says so once). */
export function syslogSink(path: string = DEFAULT_SYSLOG_SOCKET): SyslogSink {
  const a = native();
  return {
    send: (line) => {
      try {
        a.sendUnixDgram(path, Buffer.from(line));
        return true;
      } catch {
        return false;
      }
    },
  };
}
