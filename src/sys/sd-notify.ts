// sd_notify(3): tell systemd (Type=notify) that the daemon is ready, reloading or
// stopping. Node has no AF_UNIX datagram sockets, so the addon sends the datagram from
// this process (NotifyAccess=main accepts it). Without the addon, `systemd-notify` is
// spawned with --pid so systemd attributes the message to the main process (the unit
// then needs NotifyAccess=all, as contrib/systemd/halb.service sets).
import { spawn } from 'node:child_process';
import type { Logger } from '../core/log.js';
import { native } from './native.js';

export interface Notifier {
  /** Send `KEY=value` lines; a no-op when NOTIFY_SOCKET is not set. */
  notify(fields: Readonly<Record<string, string>>): void;
  readonly enabled: boolean;
}

/** CLOCK_MONOTONIC in µs, as RELOADING=1 wants it in MONOTONIC_USEC (systemd >= 253, Type=notify-reload). */
export function monotonicUsec(): string {
  return (process.hrtime.bigint() / 1000n).toString();
}

export function sdNotifier(log: Logger, env: NodeJS.ProcessEnv = process.env): Notifier {
  const socket = env.NOTIFY_SOCKET;
  if (socket === undefined || socket === '') return { enabled: false, notify: () => undefined };
  let send: (text: string) => void;
  try {
    const a = native();
    send = (text) => { a.sendUnixDgram(socket, Buffer.from(text)); };
  } catch {
    send = (text) => {
      const args = [`--pid=${process.pid}`, ...text.split('\n').filter((l) => l !== '')];
      const child = spawn('systemd-notify', args, { stdio: 'ignore' });
      child.on('error', (e) => log.warn(`systemd-notify: ${e.message}`));
    };
  }
  return {
    enabled: true,
    notify: (fields) => {
      const text = Object.entries(fields).map(([k, v]) => `${k}=${v}`).join('\n');
      try {
        send(text);
      } catch (e) {
        log.warn(`sd_notify to ${socket} failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    },
  };
}
