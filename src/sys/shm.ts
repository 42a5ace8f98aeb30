// Shared memory between the processes of one halb (native/src/halb_shm.c): the daemon
// creates a memfd segment and hands its descriptor to each proxy worker at spawn; every
// process maps it MAP_SHARED and sees it as an ArrayBuffer that Atomics update.
// Only src/sys/ may load the addon.
import { NotSupportedError } from '../core/errors.js';
import { native } from './native.js';

interface ShmAddon {
  create(bytes: number): number;
  map(fd: number): ArrayBuffer;
  close(fd: number): void;
  yield(): void;
}

let cached: ShmAddon | undefined;

/** The shm functions live in the one native addon (native/src/halb_shm.c registers them). */
interface NativeShm {
  shmCreate(bytes: number): number;
  shmMap(fd: number): ArrayBuffer;
  shmClose(fd: number): void;
  shmYield(): void;
}

function addon(): ShmAddon {
  if (cached !== undefined) return cached;
  if (process.platform !== 'linux') throw new NotSupportedError(`shared memory segments need Linux; this is ${process.platform}`);
  const n = native() as unknown as NativeShm;
  cached = { create: (b) => n.shmCreate(b), map: (fd) => n.shmMap(fd), close: (fd) => n.shmClose(fd), yield: () => n.shmYield() };
  return cached;
}

export interface SharedSegment {
  /** The memfd, to pass to child processes (close-on-exec: only where passed explicitly). */
  readonly fd: number;
  readonly buffer: ArrayBuffer;
}

/** A new zero-filled segment of `bytes` (pages cost memory only once touched). */
export function createSegment(bytes: number): SharedSegment {
  const a = addon();
  const fd = a.create(bytes);
  try {
    return { fd, buffer: a.map(fd) };
  } catch (e) {
    a.close(fd);
    throw e;
  }
}

/** Map the segment another process created and passed as `fd`; the descriptor is closed after. */
export function mapSegment(fd: number): ArrayBuffer {
  const a = addon();
  const buffer = a.map(fd);
  a.close(fd);
  return buffer;
}

export function closeSegmentFd(fd: number): void {
  addon().close(fd);
}

/** sched_yield(2): let the process holding a lock run. */
export function yieldCpu(): void {
  addon().yield();
}
