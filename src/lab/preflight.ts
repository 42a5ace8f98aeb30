// What `halb lab up` needs from the machine, checked before anything is made: Linux,
// root (namespaces), the tools it runs and the Debian packages that carry them, and the
// halb features a mode asks for. The kernel dataplane (--dataplane nft, and --mode dr,
// which only the kernel dataplane can do) is probed on the halb CLI itself, so the lab
// never pretends: the proxy would carry lb_kind DR as full NAT, which is not the seeds'
// DR, where replies leave the real server straight for the client. --dataplane ipvs
// asks the kernel itself: IPVS is per network namespace, but its module is the host's,
// so a kernel without it is told here, before a namespace is made.
import { spawnSync } from 'node:child_process';
import { release } from 'node:os';
import { NotSupportedError, PermissionError } from '../core/errors.js';
import { checkIpvsAvailable } from '../dataplane/ipvs/index.js';
import { ipvsKernelSupport } from '../sys/ipvs-netlink.js';
import { HALB_CLI } from './processes.js';
import { kernelDataplane, type LabOptions } from './topology.js';

/** Program -> the Debian package that installs it. */
const PACKAGES: Readonly<Record<string, string>> = {
  ip: 'iproute2', bridge: 'iproute2', sysctl: 'procps', keepalived: 'keepalived', nft: 'nftables', bird: 'bird2',
};

export function hasProgram(name: string): boolean {
  return spawnSync('sh', ['-c', 'command -v "$1"', 'sh', name], { stdio: 'ignore' }).status === 0;
}

/** The programs a lab with `o` runs. */
export function programsFor(o: LabOptions): string[] {
  return ['ip', 'bridge', 'sysctl', ...(o.peer === 'keepalived' ? ['keepalived'] : []), ...(o.dataplane === 'nft' ? ['nft'] : []), ...(o.ecmp === true ? ['bird'] : [])];
}

/** `apt-get install` line for the missing programs, or undefined when none is missing. */
export function missingPackages(programs: readonly string[], has: (p: string) => boolean = hasProgram): string | undefined {
  const missing = programs.filter((p) => !has(p));
  if (missing.length === 0) return undefined;
  const pkgs = [...new Set(missing.map((p) => PACKAGES[p] ?? p))];
  return `missing ${missing.join(', ')}: apt-get install ${pkgs.join(' ')}`;
}

/** What this halb build can do, read from its own --help. */
export function halbFeatures(): HalbFeatures {
  const help = spawnSync(process.execPath, [HALB_CLI, '--help'], { encoding: 'utf8', timeout: 20_000 });
  const rs = spawnSync(process.execPath, [HALB_CLI, 'realserver', '--help'], { encoding: 'utf8', timeout: 20_000 });
  return { nftDataplane: /--dataplane\b/.test(help.stdout ?? ''), realserver: rs.status === 0 && /realserver/.test(rs.stdout ?? '') };
}

export interface HalbFeatures {
  readonly nftDataplane: boolean;
  readonly realserver: boolean;
}

/** Why this halb build cannot run the lab's mode and dataplane, or undefined (pure). */
export function unsupportedMode(o: LabOptions, f: () => HalbFeatures): string | undefined {
  if (o.mode === 'dr' && !kernelDataplane(o.dataplane)) {
    return '--mode dr needs a kernel dataplane (--dataplane ipvs or nft): the proxy would carry lb_kind DR as full NAT, ' +
      'so replies would not go from the real servers straight to the client as in the seeds';
  }
  if (!kernelDataplane(o.dataplane)) return undefined;
  const got = f();
  if (o.dataplane === 'nft' && !got.nftDataplane) {
    return `--dataplane nft${o.mode === 'dr' ? ' (needed by --mode dr)' : ''}: this halb build has no nftables engine ` +
      '(`halb --help` shows no --dataplane option); use --dataplane proxy --mode nat';
  }
  if (o.mode === 'dr' && !got.realserver) {
    return '--mode dr: this halb build has no `halb realserver` command to put the VIP on the real servers\' loopback';
  }
  return undefined;
}

/**
 * Why the kernel cannot carry --dataplane ipvs, or undefined: no IPVS at all, or ip_vs
 * would not load or answer on generic netlink.
 */
export async function ipvsUnavailable(): Promise<string | undefined> {
  if (await ipvsKernelSupport() === 'absent') {
    return `this kernel (${release()}) has no IPVS: no ip_vs module and no /proc/net/ip_vs`;
  }
  try {
    await checkIpvsAvailable();
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** The --dataplane ipvs refusal, worded for `halb lab up`. */
export function ipvsRefusal(why: string, o: LabOptions): string {
  return `--dataplane ipvs: ${why}; the lab's directors cannot run the IPVS engine here. ` +
    `Use --dataplane nft${o.mode === 'dr' ? ' --mode dr' : ''} (nftables), or boot a kernel with CONFIG_IP_VS (every distribution kernel has it)`;
}

/** Throws a clear error when the lab cannot run here as asked. */
export async function preflight(o: LabOptions, features: () => HalbFeatures = halbFeatures, ipvs: () => Promise<string | undefined> = ipvsUnavailable): Promise<void> {
  if (process.platform !== 'linux') throw new NotSupportedError(`halb lab needs Linux network namespaces (this is ${process.platform})`);
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new PermissionError('CAP_SYS_ADMIN', 'halb lab creates network namespaces: run it as root');
  }
  const missing = missingPackages(programsFor(o));
  if (missing !== undefined) throw new NotSupportedError(`halb lab: ${missing}`);
  const why = unsupportedMode(o, features);
  if (why !== undefined) throw new NotSupportedError(why);
  if (o.dataplane === 'ipvs') {
    const no = await ipvs();
    if (no !== undefined) throw new NotSupportedError(ipvsRefusal(no, o));
  }
}
