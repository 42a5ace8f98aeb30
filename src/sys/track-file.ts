// track_file on the real filesystem (keepalived trackers/track_file.c): read the integer,
// write init_file, and watch for changes. keepalived watches the file's directory with
// inotify (IN_CLOSE_WRITE | IN_DELETE | IN_MOVE) so that a file created, replaced by a
// rename or deleted is seen as well as one rewritten; fs.watch on the directory is the
// same inotify watch. Where it cannot be set up (no such directory yet, inotify limits)
// the file is polled instead.
import { watch, type FSWatcher } from 'node:fs';
import { open, stat, writeFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { parseTrackValue } from '../core/track-file-value.js';


/** The file's value: missing, empty or unreadable reads as 0, as in keepalived. */
export async function readTrackFile(path: string): Promise<number | undefined> {
  let text: string;
  try {
    const fh = await open(path, 'r');
    try {
      const buf = Buffer.alloc(127);
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      text = buf.subarray(0, bytesRead).toString('latin1');
    } finally {
      await fh.close();
    }
  } catch {
    return 0;
  }
  return parseTrackValue(text);
}

/**
 * init_file: keepalived writes "VALUE\n" when the file does not exist, or always with
 * `overwrite`; something there that is not a regular file is left alone (an error).
 */
export async function initTrackFile(path: string, value: number, overwrite: boolean): Promise<void> {
  const st = await stat(path).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return undefined;
    throw e;
  });
  if (st !== undefined) {
    if (!overwrite) return;
    if (!st.isFile()) throw new Error(`cannot initialise track file ${path} - it is not a regular file`);
  }
  await writeFile(path, `${value}\n`);
}

export interface FileWatchOptions {
  /** Poll interval when the directory cannot be watched. */
  readonly pollMs: number;
  /** Told once when watching fails and polling takes over. */
  readonly onFallback?: (why: string) => void;
}

/**
 * Calls `changed` when `path` may have changed. Events for other names in the directory
 * are ignored; an event without a name (some platforms) counts as a change.
 */
export function watchTrackFile(path: string, changed: () => void, o: FileWatchOptions): { close(): void } {
  const name = basename(path);
  let watcher: FSWatcher | undefined;
  let poll: NodeJS.Timeout | undefined;
  let closed = false;
  const fallback = (why: string): void => {
    if (closed || poll !== undefined) return;
    watcher?.close();
    watcher = undefined;
    o.onFallback?.(why);
    poll = setInterval(changed, o.pollMs);
    poll.unref();
  };
  try {
    watcher = watch(dirname(path), { persistent: false }, (_event, file) => {
      if (file === null || file === name) changed();
    });
    watcher.on('error', (e) => fallback(`watching ${dirname(path)} failed: ${e.message}`));
  } catch (e) {
    fallback(`cannot watch ${dirname(path)}: ${(e as Error).message}`);
  }
  return {
    close: () => {
      closed = true;
      watcher?.close();
      if (poll !== undefined) clearInterval(poll);
    },
  };
}
