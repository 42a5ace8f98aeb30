// Entry point of a proxy worker process (forked by cluster.ts). It runs its own
// ProxyEngine on listening sockets the primary shares with it: every process accepts on
// the same socket, so the kernel spreads new connections without a hand-off (the
// cluster module's default round-robin, which passes each connection through the
// primary, measured slower here). Counters go back to the primary periodically.

import type dgram from 'node:dgram';
import net from 'node:net';
import { HalbError } from '../../core/errors.js';
import { mapSegment, yieldCpu } from '../../sys/shm.js';
import type { BackendEvent } from '../dataplane.js';
import { ProxyEngine, type ListenProvider } from './engine.js';
import { SharedState } from './shared-state.js';
import { TCP_SERVER_OPTIONS } from './tcp-proxy.js';
import type { FromWorker, ToWorker, WireFailure } from './worker-protocol.js';

const EVENT_BATCH_MS = 100;
const EVENT_BATCH_MAX = 256;

const shared = new Map<string, net.Server>();
/** Connections accepted on a shared socket before the engine took it over. */
const held = new Map<string, { hold: (s: net.Socket) => void; pending: net.Socket[] }>();
let engine: ProxyEngine | undefined;
let reportTimer: NodeJS.Timeout | undefined;
let eventsOn = false;
let unsubscribe: (() => void) | undefined;
let batch: BackendEvent[] = [];
let batchTimer: NodeJS.Timeout | undefined;

function send(m: FromWorker): void {
  if (process.connected) process.send?.(m);
}

/** Hands the engine the socket the primary shared for this service; never binds here. */
const adopted: ListenProvider = async (o) => {
  const server = shared.get(o.key);
  if (!server) return { ok: false, error: new HalbError('HALB_ERR_SYS', `worker: no shared listener for ${o.key}`) };
  const h = held.get(o.key);
  if (h) {
    held.delete(o.key);
    // After the engine has attached its handler (it does so as soon as this resolves).
    setImmediate(() => {
      server.off('connection', h.hold);
      for (const sock of h.pending) server.emit('connection', sock);
    });
  }
  return { ok: true, value: server as net.Server | dgram.Socket };
};

function flushEvents(): void {
  batchTimer = undefined;
  if (batch.length === 0) return;
  const events = batch;
  batch = [];
  send({ t: 'events', events });
}

function setEvents(on: boolean): void {
  eventsOn = on;
  if (on && !unsubscribe && engine) {
    unsubscribe = engine.onBackendEvent((ev) => {
      batch.push(ev);
      if (batch.length >= EVENT_BATCH_MAX) flushEvents();
      else batchTimer ??= setTimeout(flushEvents, EVENT_BATCH_MS);
    });
  } else if (!on && unsubscribe) {
    unsubscribe();
    unsubscribe = undefined;
  }
}

async function handle(m: ToWorker, h: unknown): Promise<void> {
  switch (m.t) {
    case 'init': {
      let shared: SharedState | undefined;
      if (m.settings.shared) {
        shared = new SharedState(mapSegment(m.settings.shared.fd), m.settings.shared.proc, yieldCpu, performance.now());
        shared.check();
      }
      const { shared: _segment, ...settings } = m.settings;
      engine = new ProxyEngine({ ...settings, listen: adopted, ...(shared ? { shared } : {}) });
      setEvents(eventsOn);
      reportTimer = setInterval(() => send({ t: 'stats', snapshot: engine!.snapshot() }), m.settings.reportMs);
      send({ t: 'ready' });
      return;
    }
    case 'listener': {
      if (h instanceof net.Server) {
        shared.get(m.key)?.close();
        shared.set(m.key, h);
        // Node starts accepting on a received server at once; until the engine adopts it,
        // hold what arrives (paused) and hand it over then.
        Object.assign(h, TCP_SERVER_OPTIONS);
        const pending: net.Socket[] = [];
        const hold = (sock: net.Socket): void => { pending.push(sock); };
        h.on('connection', hold);
        held.set(m.key, { hold, pending });
      }
      return;
    }
    case 'apply': {
      try {
        engine!.setLayout(m.layout);
        const r = await engine!.apply(m.desired);
        const failed: WireFailure[] = r.failed.map((f) => ({ service: f.service, message: f.error.message, ...('errno' in f.error && typeof f.error.errno === 'string' ? { errno: f.error.errno } : {}) }));
        // The engine closed the sockets of services this worker no longer serves.
        for (const key of r.removed) shared.delete(key);
        send({ t: 'applied', id: m.id, failed });
      } catch (err) {
        send({ t: 'applied', id: m.id, failed: [], error: err instanceof Error ? err.message : String(err) });
      }
      return;
    }
    case 'report':
      send({ t: 'stats', id: m.id, snapshot: engine!.snapshot({ connections: m.connections }) });
      return;
    case 'events':
      setEvents(m.on);
      return;
    case 'close': {
      clearInterval(reportTimer);
      flushEvents();
      await engine?.close();
      for (const s of shared.values()) s.close();
      shared.clear();
      send({ t: 'closed', id: m.id });
      process.disconnect?.();
      return;
    }
  }
}

// Messages are handled one at a time, in order: an apply must finish before the next.
let chain: Promise<void> = Promise.resolve();
process.on('message', (m: ToWorker, h: unknown) => {
  chain = chain.then(() => handle(m, h)).catch((err: unknown) => {
    process.emitWarning(err instanceof Error ? err : String(err), 'HalbWorkerWarning');
  });
});
// The primary went away: nothing left to serve.
process.on('disconnect', () => {
  void engine?.close().finally(() => process.exit(0));
});
