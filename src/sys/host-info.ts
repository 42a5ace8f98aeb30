// The host's interfaces and their prefixes, for `halb -t`'s host-dependent checks.
// Names come from /sys/class/net because os.networkInterfaces() omits interfaces
// without addresses (a fresh veth), which keepalived still accepts.
import { readdirSync, readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import type { HostInfo, HostInterface } from '../config/host.js';
import { parsePrefix, type Prefix } from '../config/readers.js';

export function readHostInfo(): HostInfo {
  const byName = new Map<string, HostInterface>();
  let names: string[] = [];
  try {
    names = readdirSync('/sys/class/net');
  } catch {
    names = Object.keys(networkInterfaces());
  }
  const addrs = networkInterfaces();
  for (const name of names) {
    const prefixes: Prefix[] = [];
    for (const a of addrs[name] ?? []) {
      const p = parsePrefix(a.cidr ?? `${a.address}/${a.family === 'IPv4' ? 32 : 128}`);
      if (typeof p !== 'string') prefixes.push(p);
    }
    byName.set(name, { name, loopback: isLoopback(name), prefixes });
  }
  return { interfaces: [...byName.values()] };
}

function isLoopback(name: string): boolean {
  try {
    // ARPHRD_LOOPBACK = 772
    return readFileSync(`/sys/class/net/${name}/type`, 'utf8').trim() === '772';
  } catch {
    return name === 'lo';
  }
}
