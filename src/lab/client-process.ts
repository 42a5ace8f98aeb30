// One home for the drills' client processes (load-client, long-lived-client, hold-client):
// a script run by this node inside a lab namespace, whose stdout is one JSON record a
// line. Each record is handed over as it arrives; a torn line (a client killed mid-write)
// or a blank one is dropped. The client ends when its stdin closes (stop()), so a drill
// that dies takes its clients with it; stop() kills one that outstays its grace.
import type { ChildProcess } from 'node:child_process';
import { spawnAttached } from '../sys/netns.js';

export class ClientProcess {
  /** Resolves once the process is gone (or could not be started). */
  readonly closed: Promise<void>;
  readonly #child: ChildProcess;
  #partial = '';

  constructor(ns: string, script: string, args: readonly string[], readonly onRecord: (record: unknown) => void) {
    this.#child = spawnAttached(ns, process.execPath, [script, ...args]);
    this.#child.stdout?.setEncoding('utf8');
    this.#child.stdout?.on('data', (c: string) => this.#feed(c));
    this.#child.stderr?.resume();
    this.closed = new Promise((resolve) => {
      this.#child.once('close', () => resolve());
      // A failed spawn may never close: it is gone all the same.
      this.#child.on('error', () => resolve());
    });
  }

  #feed(chunk: string): void {
    this.#partial += chunk;
    let nl: number;
    while ((nl = this.#partial.indexOf('\n')) >= 0) {
      const line = this.#partial.slice(0, nl);
      this.#partial = this.#partial.slice(nl + 1);
      let record: unknown;
      try {
        record = JSON.parse(line);
      } catch {
        continue; // blank, or torn by a killed client: nothing to record
      }
      this.onRecord(record);
    }
  }

  /** Close its stdin (the client's signal to finish) and wait until it is gone; SIGKILL after graceMs. */
  async stop(graceMs: number): Promise<void> {
    this.#child.stdin?.end();
    const killer = setTimeout(() => this.#child.kill('SIGKILL'), graceMs);
    await this.closed;
    clearTimeout(killer);
  }

  kill(): void {
    this.#child.kill('SIGKILL');
  }
}

/** Whether `r` is a JSON object with key `k`. */
export function hasKey<K extends string>(r: unknown, k: K): r is Record<K, unknown> {
  return typeof r === 'object' && r !== null && k in r;
}
