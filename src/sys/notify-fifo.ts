// A notify FIFO as keepalived keeps one (lib/notify.c fifo_open / fifo_close): created
// mode 0644 and given to its owner unless it exists already, opened read-write and
// non-blocking so that neither opening nor writing ever waits for a reader, and on close
// unlinked first (when halb created it) so a reader that reopens in a loop cannot find it.
// Unlike keepalived, a path that exists and is not a FIFO is refused rather than written to.
import { closeSync, constants, chownSync, lstatSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { SysError } from '../core/errors.js';
import { native } from './native.js';

interface NativeFs {
  mkfifo(path: string, mode: number): void;
}

export class NotifyFifoFile {
  readonly path: string;
  readonly #fd: number;
  readonly #created: boolean;
  /** keepalived's "Failed to set uid:gid for fifo": the FIFO is still used. */
  readonly warning: string | undefined;
  #closed = false;
  /** Lines not written because the FIFO was full (no reader draining it). */
  dropped = 0;

  private constructor(path: string, fd: number, created: boolean, warning: string | undefined) {
    this.path = path;
    this.#fd = fd;
    this.#created = created;
    this.warning = warning;
  }

  /** Create (or reuse) and open; `owner` is chowned only on a FIFO halb created. */
  static open(path: string, owner?: { readonly uid: number; readonly gid: number }): NotifyFifoFile {
    let created = false;
    try {
      (native() as unknown as NativeFs).mkfifo(path, 0o644);
      created = true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new SysError('mkfifo', `Unable to create notify fifo ${path}: ${(e as Error).message}`, (e as NodeJS.ErrnoException).code, { cause: e });
      }
      if (!lstatSync(path).isFIFO()) {
        throw new SysError('open', `Unable to open notify fifo ${path}: it exists and is not a FIFO`, 'EEXIST');
      }
    }
    let warning: string | undefined;
    if (created && owner !== undefined && (owner.uid !== process.getuid?.() || owner.gid !== process.getgid?.())) {
      try {
        chownSync(path, owner.uid, owner.gid);
      } catch (e) {
        warning = `Failed to set uid:gid for fifo ${path}: ${(e as Error).message}`;
      }
    }
    try {
      const fd = openSync(path, constants.O_RDWR | constants.O_NONBLOCK | constants.O_NOFOLLOW);
      return new NotifyFifoFile(path, fd, created, warning);
    } catch (e) {
      if (created) unlinkSync(path);
      throw new SysError('open', `Unable to open notify fifo ${path}: ${(e as Error).message}`, (e as NodeJS.ErrnoException).code, { cause: e });
    }
  }

  /** One event line; a full FIFO drops it (keepalived ignores write errors too) and counts it. */
  write(line: string): void {
    if (this.#closed) return;
    try {
      writeSync(this.#fd, line);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw new SysError('write', `notify fifo ${this.path}: ${(e as Error).message}`, (e as NodeJS.ErrnoException).code, { cause: e });
      this.dropped++;
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#created) {
      try {
        unlinkSync(this.path);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new SysError('unlink', `notify fifo ${this.path}: ${(e as Error).message}`, (e as NodeJS.ErrnoException).code, { cause: e });
      }
    }
    closeSync(this.#fd);
  }
}
