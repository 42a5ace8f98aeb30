// track_file in the engine (keepalived trackers/track_file.c): each file's integer, read
// at startup (after init_file has written it) and again whenever the host says the file
// may have changed. A file that disappears reads as 0, as keepalived treats IN_DELETE.
// An out-of-range number is logged and the last value kept. What a value does to an
// instance's priority is fsm/priority.ts.
import type { Logger } from '../../core/log.js';
import type { Closable, TrackFilePort } from './ports.js';
import type { TrackFileSpec } from './types.js';

interface FileState {
  readonly spec: TrackFileSpec;
  value: number;
  watch: Closable | undefined;
  reading: boolean;
  again: boolean;
}

export interface FileBookOptions {
  readonly files: TrackFilePort;
  readonly logger: Logger;
  /** Files whose value changed. */
  readonly onUpdate: (changed: readonly string[]) => void;
}

export class FileBook {
  readonly #o: FileBookOptions;
  readonly #files = new Map<string, FileState>();
  #closed = false;

  constructor(specs: readonly TrackFileSpec[], o: FileBookOptions) {
    this.#o = o;
    for (const s of specs) this.#files.set(s.name, { spec: s, value: 0, watch: undefined, reading: false, again: false });
  }

  has(name: string): boolean {
    return this.#files.has(name);
  }

  spec(name: string): TrackFileSpec | undefined {
    return this.#files.get(name)?.spec;
  }

  value(name: string): number {
    return this.#files.get(name)?.value ?? 0;
  }

  /** Write init_file values, read every file, then watch them. */
  async init(): Promise<void> {
    for (const f of this.#files.values()) {
      const init = f.spec.init;
      if (init !== undefined) {
        await this.#o.files.init(f.spec.path, init.value, init.overwrite).catch((e: Error) => {
          this.#o.logger.error(`Unable to initialise track file ${f.spec.name}: ${e.message}`);
        });
      }
      const v = await this.#o.files.read(f.spec.path);
      if (v === undefined) this.#o.logger.warn(`Invalid number read from ${f.spec.path} - ignoring`);
      else f.value = v;
      this.#o.logger.info(`track_file ${f.spec.name}: ${f.spec.path} reads ${f.value}`);
      f.watch = this.#o.files.watch(f.spec.path, () => this.#reread(f));
    }
  }

  /** One read at a time per file; a change seen meanwhile reads once more after it. */
  #reread(f: FileState): void {
    if (this.#closed) return;
    if (f.reading) {
      f.again = true;
      return;
    }
    f.reading = true;
    f.again = false;
    this.#o.files.read(f.spec.path).then((v) => {
      f.reading = false;
      if (this.#closed) return;
      if (v === undefined) this.#o.logger.warn(`Invalid number read from ${f.spec.path} - ignoring`);
      else if (v !== f.value) {
        this.#o.logger.info(`track_file ${f.spec.name}: ${f.spec.path} now reads ${v} (was ${f.value})`);
        f.value = v;
        this.#o.onUpdate([f.spec.name]);
      }
      if (f.again) this.#reread(f);
    }, (e: Error) => {
      f.reading = false;
      this.#o.logger.warn(`track_file ${f.spec.name}: ${e.message}`);
    });
  }

  close(): void {
    this.#closed = true;
    for (const f of this.#files.values()) f.watch?.close();
  }
}
