// What the VRRP engine's owner hands it besides the spec and the host: the clock, the
// logger and the hook that holds an instance's VIPs back (conntrack sync).
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';

export interface EngineOptions {
  readonly clock: Clock;
  readonly logger: Logger;
  /**
   * Awaited before an instance adds its VIPs on becoming MASTER (and so before its GARP):
   * the new master's conntrack commit must land first (keepalived issue 2254's race).
   * Adverts are not held. A rejection is logged and the VIPs are added anyway.
   */
  readonly beforeVips?: (instance: string) => Promise<void>;
}
