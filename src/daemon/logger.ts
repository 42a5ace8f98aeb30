// pino behind the Logger contract. Text by default, in keepalived's spirit (one line per
// event, the message first); JSON lines with --log-format json. The text form is made by
// a small pino destination that reformats each record, so both share pino's levels,
// child bindings and non-blocking writes.
import { Writable } from 'node:stream';
import pino from 'pino';
import type { LogFields, Logger } from '../core/log.js';

export type LogFormat = 'text' | 'json';

export interface LoggerOptions {
  readonly format: LogFormat;
  readonly level?: 'debug' | 'info' | 'warn' | 'error';
  /** Where lines go; stderr by default (keepalived -l logs to the console). */
  readonly stream?: NodeJS.WritableStream;
}

const levelNames: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const skip = new Set(['level', 'time', 'pid', 'hostname', 'msg']);

function textStream(out: NodeJS.WritableStream): Writable {
  let partial = '';
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      partial += chunk.toString('utf8');
      let nl: number;
      while ((nl = partial.indexOf('\n')) >= 0) {
        const line = partial.slice(0, nl);
        partial = partial.slice(nl + 1);
        try {
          const rec = JSON.parse(line) as Record<string, unknown>;
          const time = new Date(typeof rec.time === 'number' ? rec.time : 0).toISOString();
          const extras = Object.entries(rec).filter(([k]) => !skip.has(k))
            .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
          out.write(`${time} ${levelNames[rec.level as number] ?? 'INFO'} ${String(rec.msg ?? '')}${extras.length ? ` ${extras.join(' ')}` : ''}\n`);
        } catch {
          out.write(`${line}\n`);
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
  const out = opts.stream ?? process.stderr;
  const dest = opts.format === 'json' ? out : textStream(out);
  const p = pino({ level: opts.level ?? 'info', base: { pid: process.pid } }, dest);
  return new PinoLogger(p);
}
