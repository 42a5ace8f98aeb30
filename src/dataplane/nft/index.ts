// The nftables dataplane: NAT by DNAT and LVS-DR by netdev `fwd`, scheduled inside the
// kernel. See docs/dataplane-nft.md.
import type { Clock } from '../../core/clock.js';
import type { Dataplane } from '../dataplane.js';
import { systemBackend } from './apply.js';
import type { NftBackend } from './backend.js';
import { NftEngine, type NftEngineOptions } from './engine.js';
import type { RenderOptions } from './render.js';

export { NftEngine, NFT_DEFAULTS, type NftEngineOptions } from './engine.js';
export type { NftBackend } from './backend.js';
export { systemBackend, type SystemBackendOptions } from './apply.js';
export type { RenderOptions } from './render.js';

export interface NftDataplaneOptions extends Omit<NftEngineOptions, 'backend'> {
  /** Run nft, ip and sysctl in this network namespace (tests); the process's own otherwise. */
  readonly netns?: string;
  /** Also check at start that DR can work (the netdev family and `fwd`), as when the configuration has lb_kind DR. */
  readonly requireDr?: boolean;
  /** Use this backend instead of the host's (tests). */
  readonly backend?: NftBackend;
  readonly clock?: Clock;
  readonly render?: RenderOptions;
}

/**
 * Check that the nft dataplane can run here; rejects with PermissionError (naming
 * CAP_NET_ADMIN) without the privilege, NotSupportedError without nft or the kernel
 * features (with `dr`: the netdev family and fwd).
 */
export async function checkNftAvailable(opts: { readonly dr?: boolean; readonly netns?: string } = {}): Promise<void> {
  await systemBackend(opts.netns !== undefined ? { netns: opts.netns } : {}).probe({ dr: opts.dr === true });
}

/** The nftables dataplane, after checking that it can run here (see checkNftAvailable). */
export async function createNftDataplane(opts: NftDataplaneOptions = {}): Promise<Dataplane> {
  const backend = opts.backend ?? systemBackend(opts.netns !== undefined ? { netns: opts.netns } : {});
  await backend.probe({ dr: opts.requireDr === true });
  return new NftEngine({ ...opts, backend });
}
