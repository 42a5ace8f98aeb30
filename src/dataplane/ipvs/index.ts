// The IPVS dataplane: the kernel's LVS over generic netlink. See docs/dataplane-ipvs.md.
import type { Clock } from '../../core/clock.js';
import type { Dataplane } from '../dataplane.js';
import { openIpvs, systemIpvsBackend, type SystemIpvsOptions } from './apply.js';
import type { IpvsBackend } from './backend.js';
import { IpvsEngine } from './engine.js';

export { IpvsEngine, tableOf, type IpvsEngineOptions } from './engine.js';
export type { IpvsBackend, IpvsServiceRead, IpvsDestRead, IpvsConnRead } from './backend.js';
export { systemIpvsBackend, type SystemIpvsOptions } from './apply.js';
export { desiredTable, sameTable, type IpvsTable } from './table.js';

export interface IpvsDataplaneOptions extends SystemIpvsOptions {
  /** Use this backend instead of the host's (tests). */
  readonly backend?: IpvsBackend;
  readonly clock?: Clock;
  readonly onNotice?: (message: string) => void;
  /** -I: leave halb's services in the kernel on close (IpvsEngineOptions.keepOnClose). */
  readonly keepOnClose?: boolean;
}

/**
 * Check that IPVS can be programmed here: loads ip_vs when needed; rejects with
 * NotSupportedError when the kernel has no IPVS, PermissionError without CAP_NET_ADMIN.
 */
export async function checkIpvsAvailable(): Promise<void> {
  (await openIpvs()).close();
}

/** The IPVS dataplane, after checking that it can run here (see checkIpvsAvailable). */
export async function createIpvsDataplane(opts: IpvsDataplaneOptions = {}): Promise<Dataplane & IpvsEngine> {
  const backend = opts.backend ?? await systemIpvsBackend(opts);
  return new IpvsEngine({
    backend, ...(opts.clock !== undefined ? { clock: opts.clock } : {}), ...(opts.onNotice !== undefined ? { onNotice: opts.onNotice } : {}),
    ...(opts.keepOnClose === true ? { keepOnClose: true } : {}),
  });
}
