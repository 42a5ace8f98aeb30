// A real server's health from its checkers (keepalived ipwrapper.c
// update_svr_checker_state / update_svr_wgt), pure: alive only when every checker is up;
// its weight is the configured one, replaced by the last misc_dynamic value, plus the
// offsets FILE_CHECKs with a weight contribute.

/** IPVS weights are non-negative 32-bit signed integers. */
export { IPVS_WEIGHT_MAX } from '../core/ipvs-limits.js';
import { IPVS_WEIGHT_MAX } from '../core/ipvs-limits.js';

export interface CheckerHealth {
  readonly up: boolean;
  /** Last weight a misc_dynamic script set. */
  readonly weight?: number;
  /** Current FILE_CHECK contribution. */
  readonly weightOffset?: number;
}

export interface RealServerHealth {
  readonly alive: boolean;
  readonly weight: number;
}

export function realServerHealth(configuredWeight: number, checkers: readonly CheckerHealth[]): RealServerHealth {
  let base = configuredWeight;
  let offset = 0;
  for (const c of checkers) {
    if (c.weight !== undefined) base = c.weight;
    if (c.weightOffset !== undefined && c.up) offset += c.weightOffset;
  }
  const weight = Math.max(0, Math.min(IPVS_WEIGHT_MAX, base + offset));
  // A real server with no checker is always alive (keepalived adds it and never removes it).
  return { alive: checkers.every((c) => c.up), weight };
}
