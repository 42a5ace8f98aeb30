// Instance-level receive checks (RFC 3768 §7.1, RFC 5798 §7.1): what a decoded advert
// must match in the receiving instance's configuration (VRID, auth, interval, VIPs,
// unicast peers). Pure; returns a drop reason, never throws.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { AH_ICV_LEN } from './constants.js';
import { bytesToIp, ipToBytes, tryIpToBytes, type IpFamily } from './checksum.js';
import { drop, type Dropped } from './drop-reason.js';
import { passwordBytes, type AdvertV2, type VrrpPacket } from './packet.js';

/** The instance's auth as configured; AH uses auth_pass as the HMAC key, as keepalived does. */
export type InstanceAuth =
  | { readonly type: 'none' }
  | { readonly type: 'pass'; readonly password: string }
  | { readonly type: 'ah'; readonly password: string };

/** What one VRRP instance expects of the adverts it accepts. */
export interface InstanceExpectation {
  readonly vrid: number;
  readonly version: 2 | 3;
  readonly family: IpFamily;
  /** Our effective priority (255 = address owner). */
  readonly priority: number;
  /** Locally configured advert_int, centiseconds. */
  readonly advertIntervalCs: number;
  /** VRRPv2 only; ignored for v3. */
  readonly auth: InstanceAuth;
  readonly vips: readonly string[];
  /**
   * How to treat a VIP list that differs from ours:
   * - `drop`: count or member differs -> drop, except from the address owner (RFC §7.1).
   *   keepalived 2.2.7 drops these too (checked in a netns: the backup logs "not present in
   *   MASTER advert" and takes over), but also from the owner;
   * - `log`: accept, with a `vip-mismatch` note to log;
   * - `skip`: don't compare (keepalived skip_check_adv_addr when the sender is the last master).
   */
  readonly vipCheck: 'drop' | 'log' | 'skip';
  /** Owner (priority 255) ignores adverts: keepalived owner_ignore_adverts, forced by vrrp_strict. */
  readonly ownerIgnoresAdverts?: boolean;
  /** unicast_peer addresses; non-empty makes the instance unicast. */
  readonly unicastPeers?: readonly string[];
  /** check_unicast_src: drop unicast adverts from addresses that are not peers. */
  readonly checkUnicastSrc?: boolean;
}

export type InstanceNote =
  | { readonly kind: 'vip-mismatch'; readonly detail: string }
  /** v3: the master's interval differs from ours; the backup adopts it (RFC 5798 §6.4.2 Master_Adver_Interval). */
  | { readonly kind: 'advert-interval-differs'; readonly advertIntervalCs: number; readonly detail: string };

export type InstanceCheckResult = { readonly ok: true; readonly notes: readonly InstanceNote[] } | Dropped;

const isMulticast = (addr: string): boolean => /^(22[4-9]|23\d)\./.test(addr) || /^ff/i.test(addr);

function canonical(addr: string, family: IpFamily): string {
  const b = tryIpToBytes(addr, family);
  return b ? bytesToIp(b) : addr;
}

function checkV2Auth(packet: VrrpPacket, inst: InstanceExpectation): Dropped | undefined {
  const adv = packet.advert as AdvertV2;
  // "MUST verify that the Auth Type matches the locally configured authentication method for
  // the virtual router and perform that authentication method." (RFC 3768 §7.1)
  if (adv.auth.type !== inst.auth.type) {
    return drop('AUTH_TYPE_MISMATCH', `received a ${adv.auth.type} auth, expecting ${inst.auth.type}!`);
  }
  if (inst.auth.type === 'pass') {
    const want = passwordBytes(inst.auth.password);
    if (!packet.authData || !timingSafeEqual(packet.authData, want)) return drop('AUTH_FAILURE', 'received an invalid passwd!');
  }
  if (inst.auth.type === 'ah') {
    const ah = packet.ah;
    if (!ah) return drop('AUTH_TYPE_MISMATCH', 'No AH header but auth type is AH');
    const input = Buffer.from(ah.icvInput);
    // keepalived treats TTL as mutable for unicast (it may have been routed) and zeroes it too.
    if ((inst.unicastPeers?.length ?? 0) > 0) input[8] = 0;
    const icv = createHmac('md5', passwordBytes(inst.auth.password)).update(input).digest().subarray(0, AH_ICV_LEN);
    if (!timingSafeEqual(icv, ah.icv)) return drop('AUTH_FAILURE', 'IPSEC-AH : invalid IPSEC HMAC-MD5 value. Due to fields mutation or bad password !');
    // The SPI is the sender's address (keepalived's choice for multicast SAs).
    const srcSpi = packet.ip.src === undefined ? undefined : ipToBytes(packet.ip.src, 4).readUInt32BE(0);
    if (ah.spi !== srcSpi) return drop('AUTH_FAILURE', `IPSEC AH : invalid IPSEC SPI value ${ah.spi} for source ${packet.ip.src}`);
  }
  return undefined;
}

/**
 * The checks that need the instance's configuration, in keepalived's order. Pure; the
 * AH sequence-number replay check is stateful and left to the caller (`packet.ah.seq`).
 */
export function checkAdvertForInstance(packet: VrrpPacket, inst: InstanceExpectation): InstanceCheckResult {
  const adv = packet.advert;
  const notes: InstanceNote[] = [];
  // "MUST verify that the VRID is configured on the receiving interface and the local router is
  // not the IPvX address owner (Priority = 255 (decimal))." (RFC 5798 §7.1, RFC 3768 §7.1)
  if (adv.vrid !== inst.vrid) return drop('VRID_MISMATCH', `received VRID mismatch. Received ${adv.vrid}, Expected ${inst.vrid}`);
  if (inst.ownerIgnoresAdverts && inst.priority === 255) return drop('LOCAL_IS_OWNER', 'we are the address owner (priority 255): advert ignored');
  if (adv.family !== inst.family) return drop('FAMILY_MISMATCH', `IPv${adv.family} advert for an IPv${inst.family} instance`);
  if (adv.version !== inst.version) return drop('WRONG_VERSION', `wrong version. Received ${adv.version} and expect ${inst.version}`);

  const unicast = (inst.unicastPeers?.length ?? 0) > 0;
  if (packet.ip.dst !== undefined && isMulticast(packet.ip.dst) === unicast) {
    return drop('UNEXPECTED_CAST', `Expected ${unicast ? 'un' : 'mult'}icast packet but received ${unicast ? 'mult' : 'un'}icast packet`);
  }
  if (unicast && inst.checkUnicastSrc) {
    const src = packet.ip.src;
    const peers = inst.unicastPeers!.map((p) => canonical(p, inst.family));
    if (src === undefined || !peers.includes(src)) return drop('UNICAST_SRC_NOT_PEER', `unicast source address ${src} not a unicast peer`);
  }

  if (adv.version === 2) {
    const bad = checkV2Auth(packet, inst);
    if (bad) return bad;
    // "MUST verify that the Adver Interval in the packet is the same as the locally configured
    // for this virtual router" (RFC 3768 §7.1). keepalived: "to prevent concurrent VRID running".
    if (adv.advertIntervalSec * 100 !== inst.advertIntervalCs) {
      return drop('ADV_INTVL_MISMATCH', `advertisement interval mismatch mine=${inst.advertIntervalCs / 100} sec rcv'd=${adv.advertIntervalSec} sec`);
    }
  } else if (adv.advertIntervalCs !== inst.advertIntervalCs) {
    notes.push({
      kind: 'advert-interval-differs', advertIntervalCs: adv.advertIntervalCs,
      detail: `advertisement interval ${adv.advertIntervalCs * 10} milli-sec from master, mine ${inst.advertIntervalCs * 10} milli-sec`,
    });
  }

  // "MAY verify that "Count IPvX Addrs" and the list of IPvX address(es) match the IPvX
  // Address(es) configured for the VRID. ... If the packet was not generated by the address
  // owner (Priority does not equal 255 (decimal)), the receiver MUST drop the packet,
  // otherwise continue processing." (RFC 5798 §7.1, RFC 3768 §7.1)
  if (inst.vipCheck !== 'skip') {
    const got = new Set(adv.addresses);
    const missing = inst.vips.map((a) => canonical(a, inst.family)).filter((a) => !got.has(a));
    const mismatch: Dropped | undefined = adv.addresses.length !== inst.vips.length
      ? drop('ADDR_COUNT_MISMATCH', `received an unexpected ip number count ${adv.addresses.length}, expected ${inst.vips.length}!`)
      : missing.length > 0
        ? drop('VIP_MISMATCH', `ip address associated with VRID ${inst.vrid} not present in MASTER advert : ${missing.join(', ')}`)
        : undefined;
    if (mismatch) {
      if (inst.vipCheck === 'drop' && adv.priority !== 255) return mismatch;
      notes.push({ kind: 'vip-mismatch', detail: mismatch.detail });
    }
  }
  return { ok: true, notes };
}
