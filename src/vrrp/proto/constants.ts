// Every VRRP, ARP and Neighbor Discovery wire constant, defined once with the section
// that defines it. RFC 3768 is VRRPv2, RFC 5798 is VRRPv3, RFC 2338 is the VRRPv2
// original that keepalived's comments cite, RFC 4861 is IPv6 Neighbor Discovery.

/** IP protocol number of VRRP. RFC 3768 §5.2.4, RFC 5798 §5.1.1.4 */
export const IPPROTO_VRRP = 112;
/** IP protocol number of the IPsec Authentication Header (VRRPv2 Auth Type 2). RFC 2338 §5.3.6.3, RFC 4302 */
export const IPPROTO_AH = 51;
/** Next-header value of ICMPv6. RFC 4443 §1 */
export const IPPROTO_ICMPV6 = 58;

/** The IPv4 multicast group adverts are sent to. RFC 3768 §5.2.2, RFC 5798 §5.1.1.2 */
export const VRRP_MCAST_V4 = '224.0.0.18';
/** The IPv6 multicast group adverts are sent to. RFC 5798 §5.1.2.2 */
export const VRRP_MCAST_V6 = 'ff02::12';

/** IPv4 TTL / IPv6 Hop Limit adverts are sent with and must arrive with. RFC 3768 §5.2.3, RFC 5798 §5.1.1.3 / §5.1.2.3 */
export const VRRP_TTL = 255;

/** The Version field. RFC 3768 §5.3.1, RFC 5798 §5.2.1 */
export const VRRP_VERSION = { V2: 2, V3: 3 } as const;

/** The Type field; ADVERTISEMENT is the only type. RFC 3768 §5.3.2, RFC 5798 §5.2.2 */
export const VRRP_TYPE = { ADVERTISEMENT: 1 } as const;

/** VRRPv2 Auth Type values. RFC 2338 §5.3.6 (RFC 3768 §5.3.6 keeps the numbers, deprecating 1 and 2) */
export const VRRP_AUTH = { NONE: 0, PASS: 1, AH: 2 } as const;

/** Priority values with a meaning of their own. RFC 3768 §5.3.4, RFC 5798 §5.2.4 */
export const VRRP_PRIO = {
  /** The current Master stops participating: backups take over after Skew_Time. */
  STOP: 0,
  /** Default priority of a backup router (keepalived's VRRP_PRIO_DFL). */
  DEFAULT: 100,
  /** The router that owns the virtual addresses. */
  OWNER: 255,
} as const;

/** Fixed part of the VRRP header (version/type .. checksum), both versions. RFC 3768 §5.1, RFC 5798 §5.1 */
export const VRRP_HEADER_LEN = 8;
/** VRRPv2 Authentication Data length; keepalived keeps only the first 8 bytes of auth_pass. RFC 3768 §5.3.10 */
export const VRRP_V2_AUTH_LEN = 8;
/** Count IP Addrs is an 8-bit field. RFC 3768 §5.3.5, RFC 5798 §5.2.5 */
export const VRRP_MAX_ADDRS = 255;
/** VRRPv3 Max Adver Int is the low 12 bits of a 16-bit field, in centiseconds. RFC 5798 §5.2.7 */
export const VRRP_V3_MAX_ADVER_INT_CS = 0x0fff;
/** VRRPv2 Adver Int is an 8-bit field, in seconds. RFC 3768 §5.3.7 */
export const VRRP_V2_MAX_ADVER_INT_S = 0xff;
/** Default Advertisement_Interval: 1 s (v2) = 100 cs (v3). RFC 3768 §5.3.7, RFC 5798 §5.2.7 */
export const VRRP_ADVER_INT_DEFAULT_CS = 100;

/** IPv4 type of service keepalived puts on adverts (Internet Network Control, IP_TOS 0xc0). */
export const VRRP_IP_TOS = 0xc0;

/**
 * keepalived's IPsec AH header for VRRPv2 Auth Type 2 (HMAC-MD5-96): next header, payload
 * length, reserved, SPI, sequence number, 12-byte ICV. RFC 2402 §2, RFC 2338 §5.3.6.3
 */
export const AH_HEADER_LEN = 24;
/** The AH Payload Len field: header length in 32-bit words minus 2. RFC 2402 §2.2 */
export const AH_PAYLOAD_LEN = AH_HEADER_LEN / 4 - 2;
/** Length of the truncated HMAC-MD5 ICV. RFC 2403 §3 */
export const AH_ICV_LEN = 12;

/** Virtual router MAC prefixes; the last byte is the VRID. RFC 3768 §7.3, RFC 5798 §7.3 */
export const VRRP_VMAC_PREFIX_V4 = [0x00, 0x00, 0x5e, 0x00, 0x01] as const;
export const VRRP_VMAC_PREFIX_V6 = [0x00, 0x00, 0x5e, 0x00, 0x02] as const;

/** Ethernet. IEEE 802.3, RFC 894, RFC 2464 */
export const ETH_ALEN = 6;
export const ETH_HEADER_LEN = 14;
export const ETH_P_IP = 0x0800;
export const ETH_P_ARP = 0x0806;
export const ETH_P_IPV6 = 0x86dd;
export const ETH_BROADCAST = 'ff:ff:ff:ff:ff:ff';
/** IPv6 multicast MAC prefix 33:33 + low 32 bits of the group. RFC 2464 §7 */
export const ETH_IPV6_MCAST_PREFIX = [0x33, 0x33] as const;

/** ARP over Ethernet for IPv4. RFC 826; gratuitous ARP as keepalived sends it, RFC 5227 §3 */
export const ARP = {
  HRD_ETHER: 1,
  PRO_IP: ETH_P_IP,
  OP_REQUEST: 1,
  OP_REPLY: 2,
  /** htype .. op, then 2 × (6-byte MAC + 4-byte IPv4). */
  LEN: 28,
} as const;

/** Neighbor Discovery. RFC 4861 */
export const NDISC = {
  /** ICMPv6 type of a Neighbor Advertisement. RFC 4861 §4.4 */
  TYPE_NEIGHBOR_ADVERT: 136,
  /** Router / Solicited / Override flag bits in the first byte after the checksum. RFC 4861 §4.4 */
  FLAG_ROUTER: 0x80,
  FLAG_SOLICITED: 0x40,
  FLAG_OVERRIDE: 0x20,
  /** Option type of the Target Link-Layer Address option. RFC 4861 §4.6.1 */
  OPT_TARGET_LL_ADDR: 2,
  /** ND messages are sent, and must be received, with Hop Limit 255. RFC 4861 §7.1.2 */
  HOP_LIMIT: 255,
  /** All-nodes link-local group, the destination of an unsolicited advert. RFC 4861 §7.2.6, RFC 4291 §2.7.1 */
  ALL_NODES: 'ff02::1',
  /** ICMPv6 header (4) + reserved/flags (4) + target (16). RFC 4861 §4.4 */
  NA_LEN: 24,
  /** Target link-layer option for Ethernet: type, length (in 8-byte units), 6-byte MAC. */
  OPT_LL_LEN: 8,
} as const;

/** IPv6 fixed header length. RFC 8200 §3 */
export const IPV6_HEADER_LEN = 40;
/** Minimum IPv4 header length (IHL 5). RFC 791 §3.1 */
export const IPV4_MIN_HEADER_LEN = 20;
