// The VRRP engine's own thread. A busy dataplane or checker on the main thread cannot
// delay adverts here (keepalived runs VRRP in its own child process for the same
// reason). The thread's event-loop delay is measured and reported in snapshots; a timer
// that fires late is logged by the engine itself.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import type { LogFields, Logger } from '../../core/log.js';
import { startVrrpEngine } from './system-ports.js';
import type { FromWorker, LoopDelay, ToWorker, WorkerData } from './worker-protocol.js';
import type { EngineEvent } from './types.js';

const port = parentPort;
if (port === null) throw new Error('src/vrrp/engine/worker.js must be started as a worker thread');

function post(m: FromWorker): void {
  port!.postMessage(m);
}

/** Fields must survive structured clone: anything odd becomes text. */
function plain(fields: LogFields | undefined): LogFields | undefined {
  if (fields === undefined) return undefined;
  try {
    return structuredClone(fields);
  } catch {
    return { fields: JSON.stringify(fields) };
  }
}

function portLogger(bindings: LogFields = {}): Logger {
  const log = (level: 'debug' | 'info' | 'warn' | 'error') => (msg: string, fields?: LogFields): void => {
    const f = plain({ ...bindings, ...fields });
    post(f !== undefined && Object.keys(f).length > 0 ? { t: 'log', level, msg, fields: f } : { t: 'log', level, msg });
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error'), child: (b) => portLogger({ ...bindings, ...b }) };
}

const delay = monitorEventLoopDelay({ resolution: 10 });
delay.enable();

function loopDelay(): LoopDelay {
  const ms = (ns: number): number => Math.round(ns / 1e4) / 100;
  return { meanMs: ms(Number.isNaN(delay.mean) ? 0 : delay.mean), p99Ms: ms(delay.percentile(99)), maxMs: ms(delay.max) };
}

const { spec, beforeVipsTimeoutMs, beforeVipsOn } = workerData as WorkerData;
let gateOn = beforeVipsOn === true;
const gates = new Map<number, () => void>();
let nextGate = 1;

/** EngineOptions.beforeVips across the thread boundary: the host answers, or the time limit does. */
function beforeVips(instance: string): Promise<void> {
  // Off: the engine thread never waits for the host thread.
  if (!gateOn) return Promise.resolve();
  const id = nextGate++;
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      gates.delete(id);
      post({ t: 'log', level: 'warn', msg: `(${instance}) no answer before adding VIPs within ${beforeVipsTimeoutMs} ms; adding them now` });
      resolve();
    }, beforeVipsTimeoutMs);
    gates.set(id, () => {
      clearTimeout(timer);
      resolve();
    });
    post({ t: 'before-vips', id, instance });
  });
}

// Events are posted from the first one on: an owner's MASTER and every BACKUP notify happen during start.
const onEvent = (ev: EngineEvent): void => post({ t: 'event', ev });
startVrrpEngine(spec, { logger: portLogger(), onEvent, ...(beforeVipsTimeoutMs !== undefined ? { beforeVips } : {}) }).then((engine) => {
  port.on('message', (m: ToWorker) => {
    if (m.t === 'gate') {
      gateOn = m.on;
    } else if (m.t === 'before-vips-done') {
      gates.get(m.id)?.();
      gates.delete(m.id);
    } else if (m.t === 'snapshot') {
      post({ t: 'snapshot', id: m.id, snapshot: { ...engine.snapshot(), eventLoop: loopDelay() } });
    } else if (m.t === 'release') {
      post({ t: 'released', id: m.id, outcome: engine.releaseMaster(m.instance, m.holdMs !== undefined ? { holdMs: m.holdMs } : {}) });
    } else if (m.t === 'reload') {
      engine.reload(m.spec).then(
        (lines) => post({ t: 'reloaded', id: m.id, outcome: { ok: true, lines } }),
        (e: Error) => post({ t: 'reloaded', id: m.id, outcome: { ok: false, message: e.message } }),
      );
    } else if (m.t === 'stop') {
      engine.stop().then(() => {
        post({ t: 'stopped' });
        delay.disable();
        port.close();
      }, (e: Error) => {
        post({ t: 'log', level: 'error', msg: `VRRP shutdown failed: ${e.message}` });
        post({ t: 'stopped' });
        port.close();
      });
    }
  });
  post({ t: 'started' });
}, (e: Error & { code?: string }) => {
  post({ t: 'failed', error: { name: e.name, message: e.message, ...(e.code !== undefined ? { code: e.code } : {}) } });
  delay.disable();
  port.close();
});
