// Every proxied TCP connection and UDP flow sits in one intrusive list, swept on the
// engine's tick for idle and connect timeouts. One coarse timer for all connections is
// what IPVS does with its per-connection timers in jiffies, and it spares each socket a
// Node Timeout object and the timer refresh that socket.setTimeout() costs on every
// read and write: the hot path only stores the tick's time in `last`.

export abstract class TrackedConn {
  prev: TrackedConn | null = null;
  next: TrackedConn | null = null;
  /** Tick time of the last activity (or of the connect attempt while connecting). */
  last: number;
  /** Expire when `now - last >= timeoutMs`; changes with the state (connect, established, FIN). */
  timeoutMs: number;

  constructor(now: number, timeoutMs: number) {
    this.last = now;
    this.timeoutMs = timeoutMs;
  }

  /** The timeout passed: close, retry or give up. Must not unlink other entries synchronously. */
  abstract expire(now: number): void;
}

export class ConnTable {
  #head: TrackedConn | null = null;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  add(c: TrackedConn): void {
    c.prev = null;
    c.next = this.#head;
    if (this.#head) this.#head.prev = c;
    this.#head = c;
    this.#size++;
  }

  remove(c: TrackedConn): void {
    if (c.prev) c.prev.next = c.next;
    else if (this.#head === c) this.#head = c.next;
    else return; // not linked
    if (c.next) c.next.prev = c.prev;
    c.prev = null;
    c.next = null;
    this.#size--;
  }

  /** Expire every entry idle for its timeout. */
  sweep(now: number): void {
    let c = this.#head;
    while (c) {
      const next = c.next;
      if (now - c.last >= c.timeoutMs) c.expire(now);
      c = next;
    }
  }

  *[Symbol.iterator](): IterableIterator<TrackedConn> {
    for (let c = this.#head; c; c = c.next) yield c;
  }
}
