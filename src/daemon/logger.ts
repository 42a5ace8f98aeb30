// pino behind the Logger contract. Text by default, in keepalived's spirit (one line per
// event, the message first); JSON lines with --log-format json. The text form is made by
// a small pino destination that reformats each record, so both share pino's levels,
// child bindings and non-blocking writes. The same destination fans each record out to
// the console (-l), a file (-g FILE) and syslog (the default without -l, unless -G): to
// syslog in keepalived's words, the message alone, its level as the syslog severity.
import { Writable } from 'node:stream';
import pino from 'pino';
import type { LogFields, Logger } from '../core/log.js';
import { SEVERITY, syslogLine, type SyslogSink } from '../sys/syslog.js';

export type LogFormat = 'text' | 'json';

export interface LoggerOptions {
  readonly format: LogFormat;
  readonly level?: 'debug' | 'info' | 'warn' | 'error';
  /** Where lines go; stderr by default (keepalived -l logs to the console); null: no console. */
  readonly stream?: NodeJS.WritableStream | null;
  /** More line sinks in the same format (-g FILE). */
  readonly also?: readonly NodeJS.WritableStream[];
  /** syslog: where to send, the facility (LOG_DAEMON, or LOG_LOCALn with -S n) and the ident. */
  readonly syslog?: { readonly sink: SyslogSink; readonly facility: number; readonly ident?: string };
}

const SYSLOG_SEVERITY: Record<number, number> = { 10: SEVERITY.debug, 20: SEVERITY.debug, 30: SEVERITY.info, 40: SEVERITY.warning, 50: SEVERITY.err, 60: SEVERITY.crit };

const levelNames: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const skip = new Set(['level', 'time', 'pid', 'hostname', 'msg']);

function fanOut(o: LoggerOptions, outs: readonly NodeJS.WritableStream[]): Writable {
  let partial = '';
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      partial += chunk.toString('utf8');
      let nl: number;
      while ((nl = partial.indexOf('\n')) >= 0) {
        const line = partial.slice(0, nl);
        partial = partial.slice(nl + 1);
        let rec: Record<string, unknown> | undefined;
        try {
          rec = JSON.parse(line) as Record<string, unknown>;
        } catch {
          rec = undefined;
        }
        let text = `${line}\n`;
        if (rec !== undefined && o.format === 'text') {
          const time = new Date(typeof rec.time === 'number' ? rec.time : 0).toISOString();
          const extras = Object.entries(rec).filter(([k]) => !skip.has(k))
            .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
          text = `${time} ${levelNames[rec.level as number] ?? 'INFO'} ${String(rec.msg ?? '')}${extras.length ? ` ${extras.join(' ')}` : ''}\n`;
        }
        for (const out of outs) out.write(text);
        if (o.syslog !== undefined) {
          o.syslog.sink.send(syslogLine({
            facility: o.syslog.facility, severity: SYSLOG_SEVERITY[rec?.level as number] ?? SEVERITY.info,
            ident: o.syslog.ident ?? 'halb', pid: process.pid, at: new Date(typeof rec?.time === 'number' ? rec.time : Date.now()),
            msg: rec !== undefined ? String(rec.msg ?? '') : line,
          }));
        }
      }
      done();
    },
  });
}

class PinoLogger implements Logger {
  readonly #p: pino.Logger;
  constructor(p: pino.Logger) {
    this.#p = p;
  }
  debug(msg: string, fields?: LogFields): void {
    this.#p.debug(fields ?? {}, msg);
  }
  info(msg: string, fields?: LogFields): void {
    this.#p.info(fields ?? {}, msg);
  }
  warn(msg: string, fields?: LogFields): void {
    this.#p.warn(fields ?? {}, msg);
  }
  error(msg: string, fields?: LogFields): void {
    this.#p.error(fields ?? {}, msg);
  }
  child(bindings: LogFields): Logger {
    return new PinoLogger(this.#p.child(bindings));
  }
}

export function createLogger(opts: LoggerOptions): Logger {
  const outs = [...(opts.stream === null ? [] : [opts.stream ?? process.stderr]), ...(opts.also ?? [])];
  const dest = opts.format === 'json' && opts.syslog === undefined && outs.length === 1 && outs[0] !== undefined ? outs[0] : fanOut(opts, outs);
  const p = pino({ level: opts.level ?? 'info', base: { pid: process.pid } }, dest);
  return new PinoLogger(p);
}
