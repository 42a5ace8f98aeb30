// Shared by the LVS config tests: parse text and render the diagnostics the way
// `keepalived -t` prints them, so expectations can be pasted from a real 2.2.7 run.
import { parseConfigText } from '../../../src/config/load.js';
import type { KeepalivedConfig } from '../../../src/config/model/index.js';

export interface Parsed {
  readonly config: KeepalivedConfig;
  /** "(Line n) message" for located findings, the bare message otherwise; warnings marked. */
  readonly lines: string[];
  readonly ok: boolean;
}

export function parse(text: string): Parsed {
  const r = parseConfigText(text, '/k.conf');
  const lines = r.diagnostics.map((d) => `${d.severity === 'warning' ? 'warning: ' : d.severity === 'fatal' ? 'fatal: ' : ''}${d.line !== undefined ? `(Line ${d.line}) ` : ''}${d.message}`);
  return { config: r.config, lines, ok: r.ok };
}

/** Join lines so a config can be written as an array with stable line numbers. */
export function conf(...lines: string[]): string {
  return lines.join('\n');
}
