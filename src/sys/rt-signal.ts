// Signals by number, real-time ones included. Node's process.on() knows only the names
// in os.constants.signals (no SIGRTMIN+n), and an RT signal's default action ends the
// process, so keepalived's SIGJSON (SIGRTMIN+2) and SIGSTATS_CLEAR (SIGRTMAX-1) would
// kill the daemon. The addon's uv_signal watches any number; SIGRTMIN is read from the
// C library at run time, as keepalived computes it.
import { constants } from 'node:os';
import { native } from './native.js';

/** keepalived's signal functions (keepalived --signum=NAME). */
export type SignalFunction = 'STOP' | 'RELOAD' | 'DATA' | 'STATS' | 'STATS_CLEAR' | 'JSON' | 'TDATA';

export const SIGNAL_FUNCTIONS: readonly SignalFunction[] = ['STOP', 'RELOAD', 'DATA', 'STATS', 'STATS_CLEAR', 'JSON', 'TDATA'];

/** The signal number keepalived uses for `fn` on this host (lib/signals.h). */
export function signalNumber(fn: SignalFunction): number {
  switch (fn) {
    case 'STOP': return constants.signals.SIGTERM;
    case 'RELOAD': return constants.signals.SIGHUP;
    case 'DATA': return constants.signals.SIGUSR1;
    case 'STATS': return constants.signals.SIGUSR2;
    case 'JSON': return native().SIGRTMIN + 2;
    case 'STATS_CLEAR': return native().SIGRTMAX - 1;
    case 'TDATA': return native().SIGRTMAX;
  }
}

/** Watch a signal by number; returns a function that stops watching. Does not keep the process alive. */
export function watchSignal(signum: number, cb: () => void): () => void {
  const a = native();
  const h = a.signalStart(signum, () => cb());
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    a.signalStop(h);
  };
}
