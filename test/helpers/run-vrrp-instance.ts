// Runs the VRRP engine (in its worker thread) for a JSON config, so netns tests can
// start halb inside a namespace with `ip netns exec NS node dist/test/helpers/run-vrrp-instance.js FILE`
// until the daemon (`halb -n -l -f FILE -P`) is wired to it.
//
// FILE: { "instances": [{ "fsm": InstanceConfigInput, "io": InstanceIo }], "scripts"?: [...], "syncGroups"?: [...] }
// (fsm.primaryAddr may be left out: the engine takes it from the interface).
// Logs go to stdout, one line each. SIGUSR1 writes a snapshot to FILE.snapshot.json;
// SIGTERM/SIGINT shut down cleanly (priority-0 adverts, VIPs removed) and exit 0.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { LogFields, Logger } from '../../src/core/log.js';
import { SC } from '../../src/config/host.js';
import { hostScripts } from '../../src/sys/script/runner.js';
import type { EngineSpec, InstanceIo, NotifyScripts, ScriptCommand } from '../../src/vrrp/engine/types.js';
import { instanceConfig, type InstanceConfigInput } from '../../src/vrrp/fsm/fsm-types.js';
import { VrrpWorker } from '../../src/vrrp/engine/worker-host.js';

interface FileSpec extends Omit<EngineSpec, 'instances'> {
  readonly instances: readonly { readonly fsm: Omit<InstanceConfigInput, 'primaryAddr'> & { primaryAddr?: string }; readonly io: InstanceIo }[];
}

function line(level: string, msg: string, fields?: LogFields): void {
  const extra = fields !== undefined && Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : '';
  process.stdout.write(`${new Date().toISOString()} ${level} ${msg}${extra}\n`);
}

const logger: Logger = {
  debug: (m, f) => line('DEBUG', m, f),
  info: (m, f) => line('INFO', m, f),
  warn: (m, f) => line('WARN', m, f),
  error: (m, f) => line('ERROR', m, f),
  child: () => logger,
};

/**
 * The script audit for a hand-written spec, as the daemon's config audit would make it
 * without enable_script_security: the script runs as this process's user when it exists
 * and is executable (nothing unaudited is ever run).
 */
function approve(c: ScriptCommand): ScriptCommand {
  const h = hostScripts();
  const [cmd = '', ...args] = c.argv;
  const r = h.check(cmd, h.self.uid, h.self.gid, false);
  if ((r.flags & (SC.INHIBIT | SC.NOTFOUND)) !== 0 || (r.flags & (SC.EXECUTABLE | SC.SYSTEM)) === 0) return c;
  return { ...c, run: { argv: [r.path, ...args], uid: h.self.uid, gid: h.self.gid, label: 'self', viaShell: r.viaShell } };
}

function approveNotify(n: NotifyScripts | undefined): NotifyScripts | undefined {
  if (n === undefined) return undefined;
  return Object.fromEntries(Object.entries(n).map(([k, c]) => [k, approve(c as ScriptCommand)])) as NotifyScripts;
}

async function main(): Promise<void> {
  const file = process.argv[2];
  if (file === undefined) throw new Error('usage: run-vrrp-instance.js CONFIG.json');
  const raw = JSON.parse(readFileSync(file, 'utf8')) as FileSpec;
  const spec: EngineSpec = {
    ...raw,
    instances: raw.instances.map((i) => ({
      fsm: instanceConfig({ ...i.fsm, primaryAddr: i.fsm.primaryAddr ?? '' }),
      io: { ...i.io, ...(i.io.notify !== undefined ? { notify: approveNotify(i.io.notify) } : {}) },
    })),
    ...(raw.scripts !== undefined ? { scripts: raw.scripts.map((s) => ({ ...s, command: approve(s.command) })) } : {}),
    ...(raw.syncGroups !== undefined ? { syncGroups: raw.syncGroups.map((g) => ({ ...g, ...(g.notify !== undefined ? { notify: approveNotify(g.notify) } : {}) })) } : {}),
  };
  const worker = await VrrpWorker.start(spec, {
    logger,
    onEvent: (ev) => line('EVENT', ev.kind, ev as unknown as LogFields),
    onExit: (code) => process.exit(code === 0 ? 70 : code),
  });
  line('INFO', 'halb VRRP engine started');
  process.on('SIGUSR1', () => {
    worker.snapshot().then((s) => {
      writeFileSync(`${file}.snapshot.json.tmp`, JSON.stringify(s, null, 2));
      renameSync(`${file}.snapshot.json.tmp`, `${file}.snapshot.json`);
    }, (e: Error) => line('ERROR', `snapshot: ${e.message}`));
  });
  const stop = (): void => {
    line('INFO', 'Stopping');
    void worker.stop().then(() => {
      line('INFO', 'Stopped');
      process.exit(0);
    });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((e: Error) => {
  line('ERROR', e.message);
  process.exit(1);
});
