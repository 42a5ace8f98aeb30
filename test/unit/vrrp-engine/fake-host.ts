// The VRRP engine's ports in memory: sockets on a MemoryLan, addresses in a set, frames and notify
// runs recorded, script results chosen by the test, link and address events on demand,
// track files and a process table the test writes, process events on demand.
import type { Clock } from '../../../src/core/clock.js';
import type { LogFields, Logger } from '../../../src/core/log.js';
import { VrrpEngine } from '../../../src/vrrp/engine/engine.js';
import type { EngineSpec, InstanceIo } from '../../../src/vrrp/engine/types.js';
import type {
  AddressPort, Closable, HostEvent, HostLink, NetworkPort, PacketPort, ProcessEntry, ProcessEvent, ProcessPort, ScriptPort, TrackFilePort,
  VrrpPorts, VrrpSocketOptions,
} from '../../../src/vrrp/engine/ports.js';
import { parseTrackValue as parseTrackFileValue } from '../../../src/core/track-file-value.js';
import { instanceConfig, type InstanceConfigInput } from '../../../src/vrrp/fsm/fsm-types.js';
import type { ScriptOutcome } from '../../../src/vrrp/fsm/track-script.js';
import type { MemoryLan, MemorySocket } from '../../helpers/packet-socket-pair.js';

export interface Frame { readonly ifindex: number; readonly frame: Buffer; readonly ethertype: number; readonly dstMac: string }

export class FakeHost {
  readonly lan: MemoryLan;
  readonly addrs: string[];
  readonly links = new Map<string, HostLink>();
  /** "addr/len@ifindex" of every address the engine added and has not deleted. */
  readonly installed = new Set<string>();
  readonly frames: Frame[] = [];
  readonly notifies: { argv: readonly string[]; args: readonly string[] }[] = [];
  readonly sockets: MemorySocket[] = [];
  readonly routes = new Set<string>();
  /** Exit code each script (by argv[0]) returns; 0 when not set. */
  readonly scriptExit = new Map<string, number>();
  scriptRuns = 0;
  closed = false;
  /** Track file contents by path (absent = no such file). */
  readonly files = new Map<string, string>();
  readonly #fileWatchers = new Map<string, Set<() => void>>();
  /** The process table. */
  readonly procs = new Map<number, ProcessEntry>();
  listCalls = 0;
  /** Offer process events (as the kernel's connector would); otherwise the engine polls. */
  connector = false;
  #procListener: ((ev: ProcessEvent) => void) | undefined;
  #listeners: ((ev: HostEvent) => void)[] = [];

  constructor(lan: MemoryLan, addrs: readonly string[], mac: string) {
    this.lan = lan;
    this.addrs = [...addrs];
    this.links.set('eth0', { ifindex: 2, name: 'eth0', mac, up: true });
  }

  /** The engine's ports (ports.ts), each a small view on this host. */
  ports(): VrrpPorts {
    const network: NetworkPort = {
      init: async () => {},
      link: (name) => this.links.get(name),
      primaryAddress: (_ifname, family) => this.addrs.find((a) => a.includes(':') === (family === 6)),
      ipv6Forwarding: () => false,
      onEvent: (cb) => { this.#listeners.push(cb); },
      close: () => { this.closed = true; },
    };
    const packets: PacketPort = {
      openSocket: (o: VrrpSocketOptions): MemorySocket => {
        const s = this.lan.socket({ hostAddrs: this.addrs, ifindex: 2, ...o });
        this.sockets.push(s);
        return s;
      },
      sendFrame: (ifindex, frame, ethertype, dstMac) => { this.frames.push({ ifindex, frame, ethertype, dstMac }); },
      close: () => {},
    };
    const addresses: AddressPort = {
      addAddress: async (vip, ifindex) => { this.installed.add(`${vip.address}/${vip.prefixLength}@${ifindex}`); },
      delAddress: async (vip, ifindex) => { this.installed.delete(`${vip.address}/${vip.prefixLength}@${ifindex}`); },
      addRoute: async (r) => { this.routes.add(`route ${r.destination}`); },
      delRoute: async (r) => { this.routes.delete(`route ${r.destination}`); },
      addRule: async (r) => { this.routes.add(`rule ${r.priority}`); },
      delRule: async (r) => { this.routes.delete(`rule ${r.priority}`); },
    };
    const scripts: ScriptPort = {
      notify: (cmd, args) => { this.notifies.push({ argv: cmd.argv, args }); },
      run: async (cmd): Promise<ScriptOutcome> => {
        this.scriptRuns++;
        return { kind: 'exit', code: this.scriptExit.get(cmd.argv[0] ?? '') ?? 0 };
      },
    };
    const files: TrackFilePort = {
      read: async (path) => {
        const text = this.files.get(path);
        return text === undefined ? 0 : parseTrackFileValue(text);
      },
      init: async (path, value, overwrite) => {
        if (overwrite || !this.files.has(path)) this.files.set(path, `${value}\n`);
      },
      watch: (path, changed): Closable => {
        const set = this.#fileWatchers.get(path) ?? new Set();
        set.add(changed);
        this.#fileWatchers.set(path, set);
        return { close: () => { set.delete(changed); } };
      },
    };
    const processes: ProcessPort = {
      list: async (withCmdline) => {
        this.listCalls++;
        return [...this.procs.values()].map((p) => (withCmdline ? p : { pid: p.pid, ppid: p.ppid, comm: p.comm }));
      },
      read: async (pid, withCmdline) => {
        const p = this.procs.get(pid);
        return p === undefined || withCmdline ? p : { pid: p.pid, ppid: p.ppid, comm: p.comm };
      },
      watch: (cb) => {
        if (!this.connector) return undefined;
        this.#procListener = cb;
        return { close: () => { this.#procListener = undefined; } };
      },
    };
    return { network, packets, addresses, scripts, files, processes };
  }
  emit(ev: HostEvent): void {
    for (const l of this.#listeners) l(ev);
  }
  setLink(name: string, up: boolean): void {
    const l = this.links.get(name)!;
    this.links.set(name, { ...l, up });
    this.emit({ kind: 'link', link: this.links.get(name)! });
  }
  /** Write (or with undefined, delete) a track file and tell its watchers. */
  writeFile(path: string, text: string | undefined): void {
    if (text === undefined) this.files.delete(path);
    else this.files.set(path, text);
    for (const cb of this.#fileWatchers.get(path) ?? []) cb();
  }
  watchedFiles(): number {
    let n = 0;
    for (const s of this.#fileWatchers.values()) n += s.size;
    return n;
  }
  /** Start a process (exec'd, or forked from `ppid` when `fork`), telling the connector. */
  spawnProc(p: ProcessEntry, fork = false): void {
    this.procs.set(p.pid, p);
    this.#procListener?.(fork ? { kind: 'fork', ppid: p.ppid, pid: p.pid } : { kind: 'exec', pid: p.pid });
  }
  killProc(pid: number): void {
    this.procs.delete(pid);
    this.#procListener?.({ kind: 'exit', pid });
  }
  procEvent(ev: ProcessEvent): void {
    this.#procListener?.(ev);
  }
  holds(addr: string): boolean {
    return [...this.installed].some((a) => a.startsWith(`${addr}/`));
  }
}

export interface LogLine { readonly level: string; readonly msg: string; readonly fields: LogFields | undefined }

export function memoryLogger(lines: LogLine[]): Logger {
  const at = (level: string) => (msg: string, fields?: LogFields): void => { lines.push({ level, msg, fields }); };
  const l: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => l };
  return l;
}

export const VIP = '192.0.2.200';

/** One IPv4 instance on eth0 with the VIP above; `fsm`/`io` override the defaults. */
export function v4Instance(fsm: Partial<InstanceConfigInput> = {}, io: Partial<InstanceIo> = {}): EngineSpec['instances'][number] {
  return {
    fsm: instanceConfig({ name: 'VI_1', vrid: 51, primaryAddr: '', ...fsm }),
    io: { interface: 'eth0', family: 4, vips: [{ address: VIP, family: 4, prefixLength: 24 }], ...io },
  };
}

export interface Node { readonly host: FakeHost; readonly engine: VrrpEngine; readonly logs: LogLine[] }

/** An engine on its own fake host, not yet started. */
export function node(lan: MemoryLan, clock: Clock, addr: string, mac: string, spec: EngineSpec): Node {
  const host = new FakeHost(lan, [addr], mac);
  const logs: LogLine[] = [];
  return { host, engine: new VrrpEngine(spec, host.ports(), { clock, logger: memoryLogger(logs) }), logs };
}

/** Let resolved promises (address jobs, script results) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise<void>((r) => queueMicrotask(r));
}

export function stateOf(n: Node, name = 'VI_1'): string {
  return n.engine.snapshot().instances.find((i) => i.name === name)!.state;
}

/** Advance a FakeClock by `ms` in `stepMs` slices, letting promises settle in between. */
export async function runFor(clock: { advance(ms: number): void }, ms: number, stepMs = 10): Promise<void> {
  for (let t = 0; t < ms; t += stepMs) {
    clock.advance(Math.min(stepMs, ms - t));
    await settle();
  }
}
