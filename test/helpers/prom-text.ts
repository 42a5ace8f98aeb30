// The Prometheus text exposition parsed by parse-prometheus-text-format (a port of the
// Python client's parser, output shaped as prom2json's), typed for the tests.
import { createRequire } from 'node:module';

export interface PromSample {
  readonly value?: string;
  readonly labels?: Readonly<Record<string, string>>;
}

export interface PromFamily {
  readonly name: string;
  readonly help: string;
  readonly type: string;
  readonly metrics: readonly PromSample[];
}

const parse = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => PromFamily[];

export function parsePrometheusText(text: string): PromFamily[] {
  return parse(text);
}

/** Label names that occur on any sample of families whose name starts with `prefix`. */
export function labelNames(families: readonly PromFamily[], prefix: string): Set<string> {
  const out = new Set<string>();
  for (const f of families) {
    if (!f.name.startsWith(prefix)) continue;
    for (const m of f.metrics) for (const k of Object.keys(m.labels ?? {})) out.add(k);
  }
  return out;
}
