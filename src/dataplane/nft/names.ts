// Names of everything the engine creates in its tables. Ids come from the plan's
// bookkeeping (s<service>, r<real server>), so names are short, stable across applies and
// never collide; comments on the rules carry the human-readable service and server.

/** The table name in both families halb uses. */
export const TABLE = 'halb';

export const CHAIN = {
  natPrerouting: 'nat_prerouting',
  natOutput: 'nat_output',
  stats: 'stats_forward',
  ingress: (dev: string): string => `ingress_${dev}`,
  service: (s: number): string => `svc_s${s}`,
  newFlow: (s: number, r: number): string => `new_s${s}_r${r}`,
  stats4: (s: number, r: number): string => `st_s${s}_r${r}`,
  statsByPort: (s: number, r: number): string => `stp_s${s}_r${r}`,
  drService: (s: number): string => `dr_s${s}`,
  drSchedule: (s: number): string => `drs_s${s}`,
  drReuse: (s: number): string => `drr_s${s}`,
  drNew: (s: number, r: number): string => `drn_s${s}_r${r}`,
  drForward: (s: number, r: number): string => `drf_s${s}_r${r}`,
  drReplies: (s: number): string => `dro_s${s}`,
} as const;

export const SET = {
  persistence: (s: number, r: number): string => `p_s${s}_r${r}`,
  flows: (s: number, r: number): string => `f_s${s}_r${r}`,
  closing: (s: number): string => `c_s${s}`,
} as const;

export const COUNTER = {
  conns: (s: number, r: number): string => `conn_s${s}_r${r}`,
  in: (s: number, r: number): string => `in_s${s}_r${r}`,
  out: (s: number, r: number): string => `out_s${s}_r${r}`,
  /** DR: packets from the VIP seen by the director (replies that did not go straight to the client). */
  drReplies: (s: number): string => `out_s${s}`,
} as const;
