// `--dataplane auto` (the default): the kernel's IPVS where it has it, nftables as root
// otherwise, the userspace proxy without root. The decision is pure (decideDataplane);
// probeHost() gathers the facts. The startup log and `halb -t` print the choice and why.
import { UsageError } from '../core/errors.js';

export type EngineName = 'proxy' | 'nft' | 'ipvs';
export type DataplaneRequest = EngineName | 'auto';

export interface HostFacts {
  /** Root or CAP_NET_ADMIN. */
  readonly netAdmin: boolean;
  /** undefined when IPVS can be programmed here; else why not. */
  readonly ipvs?: string | undefined;
  /** undefined when the nft engine can run here; else why not. */
  readonly nft?: string | undefined;
}

export interface DataplaneChoice {
  readonly engine: EngineName;
  readonly reason: string;
}

/** What `auto` picks on a host with these facts (an explicit request is taken as is). */
export function decideDataplane(request: DataplaneRequest, facts: HostFacts): DataplaneChoice {
  if (request !== 'auto') {
    if (request === 'ipvs' && facts.ipvs !== undefined) {
      throw new UsageError(`--dataplane ipvs: ${facts.ipvs}; use --dataplane nft (as root) or proxy, or auto to pick one`);
    }
    return { engine: request, reason: 'chosen with --dataplane' };
  }
  if (!facts.netAdmin) return { engine: 'proxy', reason: 'auto: not root (no CAP_NET_ADMIN), so the userspace proxy' };
  if (facts.ipvs === undefined) return { engine: 'ipvs', reason: 'auto: the kernel has IPVS' };
  if (facts.nft === undefined) return { engine: 'nft', reason: `auto: no IPVS: ${facts.ipvs}; nftables works, so the nft engine` };
  return { engine: 'proxy', reason: `auto: no IPVS: ${facts.ipvs}; nftables cannot be used either: ${facts.nft}; so the userspace proxy` };
}

/**
 * The facts `request` needs. `load`: may load ip_vs (the daemon); false for `halb -t`,
 * which only looks whether the module exists.
 */
export async function probeHost(request: DataplaneRequest, opts: { readonly load: boolean; readonly dr?: boolean }): Promise<HostFacts> {
  if (request === 'proxy' || request === 'nft') return { netAdmin: true };
  const { hasNetAdmin } = await import('../sys/capability.js');
  const netAdmin = await hasNetAdmin();
  if (request === 'auto' && !netAdmin) return { netAdmin };
  const ipvs = await probeIpvs(opts.load, netAdmin);
  if (request === 'ipvs' || ipvs === undefined) return { netAdmin, ipvs };
  let nft: string | undefined;
  try {
    const { checkNftAvailable } = await import('../dataplane/nft/index.js');
    await checkNftAvailable({ dr: opts.dr === true });
  } catch (e) {
    nft = e instanceof Error ? e.message : String(e);
  }
  return { netAdmin, ipvs, nft };
}

async function probeIpvs(load: boolean, netAdmin: boolean): Promise<string | undefined> {
  const { ipvsKernelSupport } = await import('../sys/ipvs-netlink.js');
  const support = await ipvsKernelSupport();
  if (!load) {
    if (support === 'absent') return 'this kernel has no IPVS (no ip_vs module and /proc/net/ip_vs is missing)';
    return netAdmin ? undefined : 'programming IPVS needs CAP_NET_ADMIN';
  }
  if (support === 'absent') return 'this kernel has no IPVS (no ip_vs module and /proc/net/ip_vs is missing)';
  try {
    const { checkIpvsAvailable } = await import('../dataplane/ipvs/index.js');
    await checkIpvsAvailable();
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** `Dataplane: ENGINE (why)` for `halb -t`, found without loading any module. */
export async function describeChoice(request: DataplaneRequest): Promise<string> {
  try {
    const c = decideDataplane(request, await probeHost(request, { load: false }));
    return `Dataplane: ${c.engine} (${c.reason})`;
  } catch (e) {
    return `Dataplane: ${request} cannot run here: ${e instanceof Error ? e.message : String(e)}`;
  }
}
