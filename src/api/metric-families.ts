// A set of prom-client families filled afresh at each scrape. A family given no value in a
// scrape is left out of that scrape entirely (prom-client would print an unlabelled gauge
// as 0, which reads as a real value: "the last reload was refused", "BGP daemon down").
import { Counter, Gauge, type Registry } from 'prom-client';

export type Labels = Record<string, string>;
export type Sink = (labels: Labels, value: number) => void;

export class Families {
  readonly #reg: Registry;
  readonly #all = new Map<string, Counter | Gauge>();
  /** Families given a value since the last reset(). */
  readonly #touched = new Set<string>();
  constructor(reg: Registry) {
    this.#reg = reg;
  }
  gauge(name: string, help: string, labelNames: readonly string[] = []): Sink {
    const g = new Gauge({ name, help, labelNames, registers: [this.#reg] });
    this.#all.set(name, g);
    return (labels, value) => {
      this.#touched.add(name);
      g.set(labels, value);
    };
  }
  counter(name: string, help: string, labelNames: readonly string[] = []): Sink {
    const c = new Counter({ name, help, labelNames, registers: [this.#reg] });
    this.#all.set(name, c);
    return (labels, value) => {
      this.#touched.add(name);
      c.inc(labels, Math.max(0, value));
    };
  }
  reset(): void {
    this.#touched.clear();
    for (const m of this.#all.values()) m.reset();
  }
  /** The exposition with untouched families out of the registry for the time of the render. */
  async render(): Promise<string> {
    const idle = [...this.#all].filter(([name]) => !this.#touched.has(name));
    for (const [name] of idle) this.#reg.removeSingleMetric(name);
    try {
      return await this.#reg.metrics();
    } finally {
      for (const [, m] of idle) this.#reg.registerMetric(m);
    }
  }
}
