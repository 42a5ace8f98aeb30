// Probes for the VRRP reload netns tests: `halb ctl` against a daemon's control socket,
// and reload-watch.js children (address polls, client load, a tiny web server) inside a
// namespace.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot, sleep } from './vrrp-nodes.js';

export function ctl(sock: string, ...args: string[]): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [join(repoRoot(), 'dist', 'src', 'cli', 'main.js'), 'ctl', '--control-socket', sock, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** A reload-watch.js child in a namespace; `result()` stops it and parses its JSON line. */
export class Watch {
  readonly #child: ChildProcess;
  #out = '';
  readonly #done: Promise<void>;
  constructor(nsName: string, args: readonly string[]) {
    const js = join(repoRoot(), 'dist', 'test', 'helpers', 'reload-watch.js');
    this.#child = spawn('ip', ['netns', 'exec', nsName, process.execPath, js, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    this.#child.stdout!.on('data', (b: Buffer) => { this.#out += b.toString(); });
    this.#done = new Promise((r) => this.#child.on('exit', () => r()));
  }
  async result<T>(): Promise<T> {
    this.#child.kill('SIGTERM');
    await Promise.race([this.#done, sleep(5000)]);
    return JSON.parse(this.#out.trim().split('\n').pop() ?? 'null') as T;
  }
  kill(): void {
    this.#child.kill('SIGKILL');
  }
}

