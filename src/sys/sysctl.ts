// Kernel parameters under /proc/sys, named as sysctl(8) names them. A name is either the
// dotted form ("net.ipv4.ip_forward") or its path segments, for interface names that
// contain dots themselves (["net", "ipv4", "conf", "eth0.100", "arp_ignore"]).
import { readFile, writeFile } from 'node:fs/promises';
import { NotSupportedError, PermissionError, SysError } from '../core/errors.js';
import { execCommand, type NsOptions } from './exec-ns.js';

export type SysctlName = string | readonly string[];

/** /proc/sys/... for a sysctl name. */
export function sysctlPath(name: SysctlName): string {
  const parts = typeof name === 'string' ? name.split('.') : name;
  for (const p of parts) {
    if (p === '' || p === '.' || p === '..' || p.includes('/')) throw new SysError('sysctl', `'${parts.join('.')}' is not a sysctl name`);
  }
  return `/proc/sys/${parts.join('/')}`;
}

function display(name: SysctlName): string {
  return typeof name === 'string' ? name : name.join('.');
}

function mapError(name: SysctlName, op: string, e: unknown): Error {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new NotSupportedError(`sysctl ${display(name)} does not exist here`, { cause: e });
  if (code === 'EACCES' || code === 'EPERM') {
    return new PermissionError('CAP_NET_ADMIN', `cannot ${op} sysctl ${display(name)}: needs root (CAP_NET_ADMIN / CAP_SYS_ADMIN)`, { cause: e });
  }
  return new SysError('sysctl', `cannot ${op} sysctl ${display(name)}: ${(e as Error).message}`, code, { cause: e });
}

/** The value of a sysctl, trimmed. */
export async function readSysctl(name: SysctlName, opts: NsOptions = {}): Promise<string> {
  const path = sysctlPath(name);
  if (opts.netns === undefined) {
    try {
      return (await readFile(path, 'utf8')).trim();
    } catch (e) {
      throw mapError(name, 'read', e);
    }
  }
  const r = await execCommand('cat', [path], opts);
  if (r.status !== 0) throw mapError(name, 'read', Object.assign(new Error(r.stderr.trim()), { code: /No such file/.test(r.stderr) ? 'ENOENT' : /denied|not permitted/.test(r.stderr) ? 'EACCES' : undefined }));
  return r.stdout.trim();
}

/** Set a sysctl; writing the value it already has is a no-op. Returns the previous value. */
export async function writeSysctl(name: SysctlName, value: string | number, opts: NsOptions = {}): Promise<string> {
  const before = await readSysctl(name, opts);
  const v = String(value);
  if (before === v) return before;
  const path = sysctlPath(name);
  if (opts.netns === undefined) {
    try {
      await writeFile(path, `${v}\n`);
    } catch (e) {
      throw mapError(name, 'write', e);
    }
    return before;
  }
  const r = await execCommand('sh', ['-c', 'printf "%s\\n" "$1" > "$2"', 'sysctl-write', v, path], opts);
  if (r.status !== 0) throw mapError(name, 'write', Object.assign(new Error(r.stderr.trim()), { code: /denied|not permitted/.test(r.stderr) ? 'EACCES' : undefined }));
  return before;
}
