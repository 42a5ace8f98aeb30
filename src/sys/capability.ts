// Whether this process may change the kernel's networking (CAP_NET_ADMIN): root, or the
// capability in its effective set (/proc/self/status CapEff, as capsh --print reads it).
import { readFile } from 'node:fs/promises';

/** CAP_NET_ADMIN's bit in the capability sets (linux/capability.h). */
const CAP_NET_ADMIN_BIT = 12n;

export async function hasNetAdmin(): Promise<boolean> {
  if (typeof process.getuid === 'function' && process.getuid() === 0) return true;
  try {
    const m = /^CapEff:\s*([0-9a-f]+)/m.exec(await readFile('/proc/self/status', 'utf8'));
    return m !== null && ((BigInt(`0x${m[1]}`) >> CAP_NET_ADMIN_BIT) & 1n) === 1n;
  } catch {
    return false;
  }
}
