// VRRP protocol timers: Skew_Time and Master_Down_Interval, per version.
//
// keepalived keeps every timer in microseconds (TIMER_HZ = 1e6) and computes with
// unsigned integer division, so its takeover times are exact multiples of 1 µs
// (VRRP_TIMER_SKEW_CALC in keepalived/include/vrrp.h). We do the same and only convert
// to the Clock's milliseconds at the edge, so a v2 backup at priority 100 with
// advert_int 1 times out after exactly 3 609 375 µs = 3609.375 ms, as keepalived does.

import { VRRP_PRIO } from '../proto/constants.js';

export type VrrpVersion = 2 | 3;

/** Microseconds per second, keepalived's TIMER_HZ. */
export const TIMER_HZ = 1_000_000;
/** Microseconds per centisecond, keepalived's TIMER_CENTI_HZ (v3 intervals are in cs). */
export const TIMER_CENTI_HZ = 10_000;
/** keepalived's default `down_timer_adverts`: the RFC's "3 * Master_Adver_Interval". */
export const DEFAULT_DOWN_TIMER_ADVERTS = 3;

/** An advertisement interval in centiseconds, as microseconds. */
export function adverIntUs(adverIntCs: number): number {
  return adverIntCs * TIMER_CENTI_HZ;
}

/**
 * Skew_Time for `priority` times `skewUnits` (256 − priority normally, 1 for keepalived's
 * VRRP_TIMER_SKEW_MIN).
 *
 * RFC 3768 §6.1: "Skew_Time  Time to skew Master_Down_Interval in seconds. Calculated as:
 *   ( (256 - Priority) / 256 )"
 * RFC 5798 §6.1: "Skew_Time  Time to skew Master_Down_Interval in centiseconds. Calculated
 *   as: (((256 - priority) * Master_Adver_Interval) / 256)"
 * keepalived reduces the v3 product by 625/16 (= TIMER_CENTI_HZ / 256) to stay in 32 bits;
 * the integer result is the same as ((units * cs * 10000) / 256).
 */
function skewUs(version: VrrpVersion, skewUnits: number, masterAdverIntCs: number): number {
  if (version === 3) return Math.floor((skewUnits * masterAdverIntCs * 625) / 16);
  return Math.floor((skewUnits * TIMER_HZ) / 256);
}

/** Skew_Time in µs. v2 ignores the interval (RFC 3768 skew is in whole-second units of 1/256). */
export function skewTimeUs(version: VrrpVersion, priority: number, masterAdverIntCs: number): number {
  return skewUs(version, 256 - priority, masterAdverIntCs);
}

/**
 * keepalived's VRRP_TIMER_SKEW_MIN: the skew of a priority-255 router. Used for a sync-group
 * member that wants MASTER while its group is BACKUP at startup.
 */
export function skewTimeMinUs(version: VrrpVersion, masterAdverIntCs: number): number {
  return skewUs(version, 1, masterAdverIntCs);
}

/**
 * Master_Down_Interval in µs.
 *
 * RFC 5798 §6.1: "Master_Down_Interval  Time interval for Backup to declare Master down
 *   (centiseconds). Calculated as: (3 * Master_Adver_Interval) + Skew_time"
 * keepalived replaces the 3 with `down_timer_adverts` (VRRP_MS_DOWN_TIMER).
 */
export function masterDownIntervalUs(
  version: VrrpVersion,
  priority: number,
  masterAdverIntCs: number,
  downTimerAdverts = DEFAULT_DOWN_TIMER_ADVERTS,
): number {
  return downTimerAdverts * adverIntUs(masterAdverIntCs) + skewTimeUs(version, priority, masterAdverIntCs);
}

/** Convert keepalived's µs to the Clock's ms (fractional). */
export function usToMs(us: number): number {
  return us / 1000;
}

/** Skew_Time in ms, for logs, status and tests. */
export function skewTimeMs(version: VrrpVersion, priority: number, masterAdverIntCs: number): number {
  return usToMs(skewTimeUs(version, priority, masterAdverIntCs));
}

/** Master_Down_Interval in ms, for logs, status and tests. */
export function masterDownIntervalMs(
  version: VrrpVersion,
  priority: number,
  masterAdverIntCs: number,
  downTimerAdverts = DEFAULT_DOWN_TIMER_ADVERTS,
): number {
  return usToMs(masterDownIntervalUs(version, priority, masterAdverIntCs, downTimerAdverts));
}

/** True when `priority` is the address owner's, which trackers never change. RFC 5798 §5.2.4 */
export function isOwnerPriority(priority: number): boolean {
  return priority === VRRP_PRIO.OWNER;
}
