// Why an advert was dropped: a closed set mirroring keepalived's rate-limited log flags
// (vrrp_rlflags_t in keepalived/include/vrrp.h) and the vrrp_stats counters they feed,
// so metrics and rate-limited log lines can be keyed by the reason.

/**
 * Every reason `decodeAdvert` (packet-level) and `checkAdvertForInstance`
 * (instance-level) can return. Closed: switch over it exhaustively.
 */
export const DROP_REASONS = [
  // --- packet level (decodeAdvert) ---
  /** Fewer bytes than the IP header(s) plus the 8-byte VRRP header. keepalived: "packet too short" */
  'PACKET_TOO_SHORT',
  /** IP header malformed: wrong version nibble for the socket family, bad IHL, fragment, total length. */
  'INVALID_IP_HEADER',
  /** IP protocol / next header is not VRRP (nor AH carrying VRRP). keepalived returns VRRP_PACKET_DROP silently. */
  'NOT_VRRP',
  /** TTL / Hop Limit not 255 (multicast) or outside the unicast peer's min_ttl..max_ttl. keepalived: ip_ttl_err */
  'INVALID_TTL',
  /** VRRP version is not 2 or 3, VRRPv2 over IPv6, or not the instance's version. keepalived: vers_err */
  'WRONG_VERSION',
  /** Type is not ADVERTISEMENT. keepalived: invalid_type_rcvd */
  'INVALID_TYPE',
  /** Length does not match Count IP Addrs (+ auth data / AH). keepalived: packet_len_err */
  'PKT_LEN_MISMATCH',
  /** Checksum does not verify under any accepted variant. keepalived: chk_err */
  'BAD_CHECKSUM',
  /** VRRPv2 Auth Type is not 0, 1 or 2. keepalived: invalid_authtype */
  'INVALID_AUTH_TYPE',
  // --- instance level (checkAdvertForInstance) ---
  /** Advert for another virtual router on this interface. keepalived: vrid_err (VRRP_PACKET_OTHER) */
  'VRID_MISMATCH',
  /** Advert family differs from the instance's. */
  'FAMILY_MISMATCH',
  /** Auth Type (or presence of the AH header) differs from the instance's. keepalived: authtype_mismatch */
  'AUTH_TYPE_MISMATCH',
  /** auth_pass or AH ICV does not match. keepalived: auth_failure ("received an invalid passwd!") */
  'AUTH_FAILURE',
  /** VRRPv2 Adver Int differs from ours. keepalived drops it (VRRP_PACKET_DROP). */
  'ADV_INTVL_MISMATCH',
  /** Count IP Addrs differs from our VIP count. keepalived: addr_list_err */
  'ADDR_COUNT_MISMATCH',
  /** A configured VIP is missing from the advert. keepalived: addr_list_err */
  'VIP_MISMATCH',
  /** Multicast advert on a unicast instance or the reverse. keepalived: "Expected multicast packet but received unicast" */
  'UNEXPECTED_CAST',
  /** Unicast advert from an address that is not a configured unicast_peer (check_unicast_src). */
  'UNICAST_SRC_NOT_PEER',
  /** We are the address owner (priority 255) and configured to ignore adverts (owner_ignore_adverts / strict). */
  'LOCAL_IS_OWNER',
] as const;

export type DropReason = (typeof DROP_REASONS)[number];

export function isDropReason(s: string): s is DropReason {
  return (DROP_REASONS as readonly string[]).includes(s);
}

/** A rejected packet: a value, never an exception. */
export interface Dropped {
  readonly ok: false;
  readonly reason: DropReason;
  /** Human-readable, in keepalived's wording where it has one; safe to log. */
  readonly detail: string;
}

export function drop(reason: DropReason, detail: string): Dropped {
  return { ok: false, reason, detail };
}
