// The userspace proxy dataplane: the rootless default engine.
import type { Dataplane } from '../dataplane.js';
import { ProxyCluster } from './cluster.js';
import { ProxyEngine, type ProxyEngineOptions } from './engine.js';

export { ProxyEngine, PROXY_DEFAULTS, listenHere, type ListenProvider, type ProxyEngineOptions } from './engine.js';
export { ProxyCluster, shareable, type ProxyClusterOptions } from './cluster.js';
export type { ListenOptions, ListenResult } from './listen.js';

/**
 * The proxy dataplane: this process alone, or this process plus `workers` forked
 * workers accepting on the same listening sockets (see cluster.ts for what stays here).
 */
export function createProxyDataplane(opts: ProxyEngineOptions & { readonly workers?: number; readonly reportMs?: number } = {}): Dataplane {
  const workers = opts.workers ?? 0;
  return workers > 0 ? new ProxyCluster({ ...opts, workers }) : new ProxyEngine(opts);
}
