// IPVS's own limits, shared by the config, the checkers, the admin commands and every
// dataplane: one definition each.

/** A real server's weight is an int in the kernel (ip_vs_dest.weight): 0..INT_MAX. */
export const IPVS_WEIGHT_MAX = 2147483647;
