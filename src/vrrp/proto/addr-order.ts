// Ordering of primary addresses, the VRRP tie-breaker between equal priorities.
//
// RFC 5798 §6.4.3: "the Priority in the ADVERTISEMENT is equal to the local Priority and
// the primary IPvX Address of the sender is greater than the local primary IPvX Address
// (based on an unsigned integer comparison of the IPvX addresses in network byte order)"

import ipaddr from 'ipaddr.js';

function bytesOf(addr: string): number[] | null {
  // Link-local IPv6 sources may carry a zone ("fe80::1%eth0"); the zone is not part of the address.
  const bare = addr.split('%')[0] ?? addr;
  if (!ipaddr.isValid(bare)) return null;
  return ipaddr.parse(bare).toByteArray();
}

/**
 * Compare two addresses as unsigned integers in network byte order: 1 if `a` is greater,
 * -1 if smaller, 0 if equal. Addresses of different families (or unparsable ones) compare
 * as -1, which is what keepalived's inet_sockaddrcmp (-2) amounts to at its call sites:
 * the sender is never taken to be greater.
 */
export function compareAddresses(a: string, b: string): -1 | 0 | 1 {
  const x = bytesOf(a);
  const y = bytesOf(b);
  if (x === null || y === null || x.length !== y.length) return -1;
  for (let i = 0; i < x.length; i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d > 0 ? 1 : -1;
  }
  return 0;
}
