// FILE_CHECK (keepalived check_file.c): follow the integer in a track_file. keepalived
// reacts to inotify events only; here fs.watch on the file's directory triggers an
// immediate run and the scheduler also polls every delay_loop, so a missed event costs at
// most one delay_loop. A missing file reads as 0.
import { readFile } from 'node:fs/promises';
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { failed, passed, sameConfig, type CheckOutcome, type Checker, type CheckerSnapshot } from './checker.js';
import { fileVerdict, parseTrackValue } from '../core/track-file-value.js';

export interface FileCheckSpec {
  /** track_file name (for logs). */
  name: string;
  path: string;
  weight: number;
  reverse: boolean;
}

export class FileChecker implements Checker {
  readonly kind = 'FILE_CHECK' as const;
  readonly target: string;
  readonly budgetMs = 1000;
  readonly #spec: FileCheckSpec;
  #last = 0;

  constructor(spec: FileCheckSpec) {
    this.#spec = spec;
    this.target = spec.path;
  }

  async run(signal: AbortSignal): Promise<CheckOutcome> {
    const t0 = performance.now();
    let value: number | undefined = 0;
    try {
      value = parseTrackValue(await readFile(this.#spec.path, { encoding: 'latin1', signal }));
    } catch {
      if (signal.aborted) return failed('aborted', 'file check stopped', performance.now() - t0);
      value = 0; // a missing or unreadable file reads as 0, as keepalived's process_track_file()
    }
    // An unreadable number is ignored, as keepalived logs "Invalid number" and keeps the last status.
    if (value === undefined) value = this.#last;
    this.#last = value;
    const v = fileVerdict(value, this.#spec.weight, this.#spec.reverse);
    const lat = performance.now() - t0;
    const what = `track file ${this.#spec.name} (${this.#spec.path}) = ${value}`;
    return v.up ? passed(what, lat, this.#spec.weight !== 0 ? { weightOffset: v.weightOffset } : {}) : failed('file-fault', `${what}: FAULT`, lat);
  }

  /** Call `onChange` whenever the file is written, moved or removed. */
  watch(onChange: () => void): () => void {
    let w: FSWatcher | undefined;
    const name = basename(this.#spec.path);
    try {
      w = watch(dirname(this.#spec.path), { persistent: false }, (_ev, file) => {
        if (file === null || file === name) onChange();
      });
      w.on('error', () => w?.close());
    } catch {
      w = undefined; // the directory is missing: polling still covers it
    }
    return () => w?.close();
  }

  sameAs(other: Checker): boolean {
    return other instanceof FileChecker && sameConfig(this.#settings(), other.#settings());
  }

  snapshot(): CheckerSnapshot {
    return { kind: this.kind, target: this.target, config: this.#settings() };
  }

  #settings(): Record<string, unknown> {
    return { ...this.#spec };
  }
}
