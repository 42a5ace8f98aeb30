// Step 2 of the nftables engine: the plan as nftables tables. Pure, golden-tested.
//
//   table inet halb                                   NAT (lb_kind NAT)
//     nat_prerouting / nat_output (nat hooks)         VIP . proto . port vmap -> svc_sN
//     svc_sN      persistence sets, then the scheduler (numgen / jhash vmap) -> new_sN_rM
//     new_sN_rM   count a connection, refresh the template, dnat to the real server
//     stats_forward (filter hook forward)             conntrack's VIP . port . RS . port . proto -> st_sN_rM
//     st_sN_rM    count packets/bytes each way, keep the client's template alive
//
//   table netdev halb                                 DR (lb_kind DR), one ingress chain per device
//     ingress_DEV  VIP . proto . port vmap -> dr_sN;  packets *from* the VIP -> dro_sN (counted: replies seen)
//     dr_sN       TCP: a SYN of a closing flow, or of a flow whose server takes no new ones -> drr_sN;
//                 known flow (f_sN_rM sets) -> drf_sN_rM; else drs_sN
//     drr_sN      forget the flow (as IPVS's conn_reuse_mode and expire_nodest_conn), then drs_sN
//     drs_sN      persistence; scheduler -> drn_sN_rM
//     drn_sN_rM   count a connection, then drf
//     drf_sN_rM   keep the flow (timeouts as IPVS's DR input-only states), count, fwd to the real server's MAC
//
// Conntrack cannot hold DR's per-flow choice (the director sees only the client's half,
// and conntrack calls the client's ACKs INVALID), so DR flows live in the engine's own
// dynamic sets, one per real server, matched before scheduling. The netdev hook runs
// before conntrack and routing: the packet leaves unchanged but for its MAC addresses
// (and TTL), which is what LVS-DR does.
import { HASH_SEED } from '../sched/index.js';
import { NO_SERVER, type Dispatch } from './dispatch.js';
import {
  and, concat, counter, ct, drop, dnat, fwd, goto, jhash, jump, match, meta, numgen, payload, range, ret, setDelete, setUpdate, vmap,
  type ChainDef, type Expr, type RuleDef, type SetDef, type Stmt, type TableDef,
} from './nft-json.js';
import { CHAIN, COUNTER, SET, TABLE } from './names.js';
import type { NftPlan, RsPlan, ServicePlan } from './plan.js';

export interface RenderOptions {
  /** Most flows one DR real server's flow set holds (default 262144). */
  readonly flowSetSize?: number;
  /** Most persistence templates per real server (default 65536). */
  readonly persistSetSize?: number;
  /** DR: more devices whose ingress is watched for VIP traffic (the real servers' devices always are). */
  readonly ingressDevices?: readonly string[];
}

export const DEFAULT_FLOW_SET_SIZE = 262_144;
export const DEFAULT_PERSIST_SET_SIZE = 65_536;
/** Base chain priorities: nat at dstnat, statistics before the usual filter chains, DR early in ingress. */
export const PRIO = { dstnat: -100, stats: -150, ingress: -100 } as const;

const fam = (p: ServicePlan): 'ip' | 'ip6' => (p.family === 6 ? 'ip6' : 'ip');
const l4 = (p: ServicePlan): 'tcp' | 'udp' => (p.protocol === 'UDP' ? 'udp' : 'tcp');
const addrType = (p: ServicePlan): string => (p.family === 6 ? 'ipv6_addr' : 'ipv4_addr');

/** The address mask of a prefix length, as nft writes it (dotted quad or IPv6 text). */
export function prefixMask(len: number, family: 4 | 6): string {
  const bits = family === 6 ? 128 : 32;
  const bytes: number[] = [];
  for (let i = 0; i < bits / 8; i++) {
    const n = Math.max(0, Math.min(8, len - i * 8));
    bytes.push(n === 0 ? 0 : (0xff << (8 - n)) & 0xff);
  }
  if (family === 4) return bytes.join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return groups.join(':');
}

/** The client as a persistence template keys it: its address under the granularity mask. */
function clientKey(p: ServicePlan): Expr {
  const sa = payload(fam(p), 'saddr');
  const full = p.family === 6 ? 128 : 32;
  const prefix = p.persistence?.prefix ?? full;
  return prefix >= full ? sa : and(sa, prefixMask(prefix, p.family));
}

const flowKey = (p: ServicePlan): Expr => concat(payload(fam(p), 'saddr'), payload(l4(p), 'sport'));

const comment = (text: string): string => (text.length <= 120 ? text : `${text.slice(0, 117)}...`);

/** vmap elements from a slot table, runs of one value merged into ranges. */
export function slotElements(slots: readonly number[], target: (rs: number) => Stmt): [Expr, Stmt][] {
  const out: [Expr, Stmt][] = [];
  for (let i = 0; i < slots.length;) {
    let j = i;
    while (j + 1 < slots.length && slots[j + 1] === slots[i]) j++;
    const v = slots[i]!;
    out.push([j > i ? range(i, j) : i, v === NO_SERVER ? drop : target(v)]);
    i = j + 1;
  }
  return out;
}

/** The scheduler as statements: a goto into the chosen server's chain, or drop. */
function dispatchStmts(p: ServicePlan, d: Dispatch, target: (rs: number) => Stmt): RuleDef[] {
  const what = comment(`${p.key} ${p.scheduler}`);
  switch (d.kind) {
    case 'none':
      return [];
    case 'single':
      return [{ expr: [target(d.rs)], comment: what }];
    case 'numgen':
      return [{ expr: [vmap(numgen(d.mode, d.slots.length), slotElements(d.slots, target))], comment: what }];
    case 'hash': {
      const key = d.key === 'daddr' ? payload(fam(p), 'daddr')
        : d.key === 'saddr-sport' ? concat(payload(fam(p), 'saddr'), payload(l4(p), 'sport'))
          : payload(fam(p), 'saddr');
      return [{ expr: [vmap(jhash(key, d.slots.length, HASH_SEED), slotElements(d.slots, target))], comment: what }];
    }
  }
}

const rsComment = (p: ServicePlan, rs: RsPlan): string => comment(`${p.key} -> ${rs.key}${rs.draining ? ' (draining)' : ''}`);

function persistenceSet(p: ServicePlan, rs: RsPlan, o: RenderOptions): SetDef {
  return {
    name: SET.persistence(p.id, rs.id), type: addrType(p), flags: ['timeout'],
    timeoutS: p.persistence!.timeoutS, size: o.persistSetSize ?? DEFAULT_PERSIST_SET_SIZE,
  };
}

const persistLookups = (p: ServicePlan, chainOf: (rs: RsPlan) => string): RuleDef[] =>
  p.persistence === undefined ? [] : p.realServers.filter((r) => r.inPool).map((r) => ({
    expr: [match(clientKey(p), `@${SET.persistence(p.id, r.id)}`), goto(chainOf(r))], comment: rsComment(p, r),
  }));

interface Parts {
  counters: string[];
  sets: SetDef[];
  chains: ChainDef[];
}

function natService(p: ServicePlan, o: RenderOptions, out: Parts): void {
  const byId = new Map(p.realServers.map((r) => [r.id, r]));
  out.chains.push({
    name: CHAIN.service(p.id),
    rules: [
      ...persistLookups(p, (r) => CHAIN.newFlow(p.id, r.id)),
      ...dispatchStmts(p, p.dispatch, (id) => goto(CHAIN.newFlow(p.id, byId.get(id)!.id))),
      { expr: [drop], comment: comment(`${p.key}: no real server available`) },
    ],
  });
  for (const rs of p.realServers) {
    out.counters.push(COUNTER.conns(p.id, rs.id), COUNTER.in(p.id, rs.id), COUNTER.out(p.id, rs.id));
    const persist = p.persistence !== undefined && rs.inPool;
    if (persist) out.sets.push(persistenceSet(p, rs, o));
    if (rs.inPool) {
      out.chains.push({
        name: CHAIN.newFlow(p.id, rs.id),
        rules: [{
          expr: [
            counter(COUNTER.conns(p.id, rs.id)),
            ...(persist ? [setUpdate(SET.persistence(p.id, rs.id), clientKey(p))] : []),
            match(meta('l4proto'), l4(p)),
            dnat(fam(p), rs.address, rs.port),
          ],
          comment: rsComment(p, rs),
        }],
      });
    }
    out.chains.push({
      name: CHAIN.stats4(p.id, rs.id),
      rules: [
        { expr: [match(ct('direction'), 'original'), counter(COUNTER.in(p.id, rs.id))] },
        ...(persist ? [{ expr: [match(ct('direction'), 'original'), setUpdate(SET.persistence(p.id, rs.id), clientKey(p))] }] : []),
        { expr: [match(ct('direction'), 'reply'), counter(COUNTER.out(p.id, rs.id))] },
      ],
    });
  }
}

function drService(p: ServicePlan, o: RenderOptions, out: Parts): void {
  const byId = new Map(p.realServers.map((r) => [r.id, r]));
  const key = flowKey(p);
  const tcp = p.protocol === 'TCP';
  const closing = SET.closing(p.id);
  /** A connection's first packet: SYN without ACK. */
  const syn = match(and(payload('tcp', 'flags'), ['syn', 'ack']), 'syn');
  if (tcp) out.sets.push({ name: closing, type: [addrType(p), 'inet_service'], flags: ['timeout'], timeoutS: p.timeouts.tcpFinS, size: o.flowSetSize ?? DEFAULT_FLOW_SET_SIZE });
  out.counters.push(COUNTER.drReplies(p.id));
  out.chains.push({ name: CHAIN.drReplies(p.id), rules: [{ expr: [counter(COUNTER.drReplies(p.id))], comment: comment(`${p.key}: replies seen by the director`) }] });
  // A client port comes back while its last connection through it is still remembered: it
  // waits out its FIN timeout (a client with many short connections wraps its ports within
  // it), or it was refused by a dead server and only its SYN was ever seen. Its SYN opens a
  // new connection, so it is scheduled afresh when the old flow is closing (IPVS's
  // conn_reuse_mode) or its server takes no new connections (IPVS's expire_nodest_conn);
  // otherwise a SYN is a retransmission and keeps its server.
  if (tcp) {
    out.chains.push({
      name: CHAIN.drReuse(p.id),
      rules: [
        { expr: [setDelete(closing, key)] },
        ...p.realServers.map((r) => ({ expr: [setDelete(SET.flows(p.id, r.id), key)] })),
        { expr: [goto(CHAIN.drSchedule(p.id))], comment: comment(`${p.key}: a new connection on a remembered flow's port`) },
      ],
    });
  }
  out.chains.push({
    name: CHAIN.drService(p.id),
    rules: [
      ...(tcp ? [{ expr: [syn, match(key, `@${closing}`), goto(CHAIN.drReuse(p.id))] }] : []),
      ...p.realServers.flatMap((r) => [
        ...(tcp && (!r.inPool || r.weight === 0)
          ? [{ expr: [syn, match(key, `@${SET.flows(p.id, r.id)}`), goto(CHAIN.drReuse(p.id))], comment: comment(`${rsComment(p, r)}: takes no new connections`) }]
          : []),
        { expr: [match(key, `@${SET.flows(p.id, r.id)}`), goto(CHAIN.drForward(p.id, r.id))], comment: rsComment(p, r) },
      ]),
      { expr: [goto(CHAIN.drSchedule(p.id))] },
    ],
  });
  out.chains.push({
    name: CHAIN.drSchedule(p.id),
    rules: [
      ...persistLookups(p, (r) => CHAIN.drNew(p.id, r.id)),
      ...dispatchStmts(p, p.dispatch, (id) => goto(CHAIN.drNew(p.id, byId.get(id)!.id))),
      p.draining
        ? { expr: [ret], comment: comment(`${p.key}: removed, established flows only`) }
        : { expr: [drop], comment: comment(`${p.key}: no real server available`) },
    ],
  });
  for (const rs of p.realServers) {
    const flows = SET.flows(p.id, rs.id);
    out.counters.push(COUNTER.conns(p.id, rs.id), COUNTER.in(p.id, rs.id));
    out.sets.push({
      name: flows, type: [addrType(p), 'inet_service'], flags: ['timeout'],
      timeoutS: tcp ? p.timeouts.tcpS : p.timeouts.udpS, size: o.flowSetSize ?? DEFAULT_FLOW_SET_SIZE,
    });
    const persist = p.persistence !== undefined && rs.inPool;
    if (persist) out.sets.push(persistenceSet(p, rs, o));
    if (rs.inPool) {
      out.chains.push({
        name: CHAIN.drNew(p.id, rs.id),
        rules: [{ expr: [counter(COUNTER.conns(p.id, rs.id)), goto(CHAIN.drForward(p.id, rs.id))], comment: rsComment(p, rs) }],
      });
    }
    // Each statement that can fail (a full set) stands in its own rule, so forwarding
    // never depends on bookkeeping succeeding.
    const rules: RuleDef[] = tcp
      ? [
        // IPVS's DR states follow the client's packets only: after its FIN or RST the
        // flow waits tcp_fin_timeout, and later ACKs do not bring it back.
        { expr: [match(payload('tcp', 'flags'), ['fin', 'rst'], 'in'), setUpdate(closing, key)] },
        { expr: [match(key, `@${closing}`, '!='), setUpdate(flows, key)] },
        { expr: [match(key, `@${closing}`), setUpdate(flows, key, p.timeouts.tcpFinS)] },
      ]
      : [{ expr: [setUpdate(flows, key)] }];
    if (persist) rules.push({ expr: [setUpdate(SET.persistence(p.id, rs.id), clientKey(p))] });
    rules.push({ expr: [counter(COUNTER.in(p.id, rs.id)), fwd(fam(p), rs.address, rs.device!)], comment: rsComment(p, rs) });
    out.chains.push({ name: CHAIN.drForward(p.id, rs.id), rules });
  }
}

/** `daddr . l4proto . dport vmap { VIP . proto . port : jump ... }` per family. */
function serviceVmap(
  plans: readonly ServicePlan[], field: 'daddr' | 'saddr', port: 'dport' | 'sport', target: (p: ServicePlan) => string, guard: readonly Stmt[] = [],
): RuleDef[] {
  const rules: RuleDef[] = [];
  for (const family of [4, 6] as const) {
    const of = plans.filter((p) => p.family === family);
    if (of.length === 0) continue;
    const f = family === 6 ? 'ip6' : 'ip';
    rules.push({
      expr: [...guard, vmap(concat(payload(f, field), meta('l4proto'), payload('th', port)), of.map((p) => [concat(p.address, l4(p), p.port), jump(target(p))]))],
    });
  }
  return rules;
}

/**
 * NAT statistics in the forward hook: conntrack's original destination (the VIP) with the
 * packet's real-server side (daddr.dport one way, saddr.sport the other) picks the real
 * server's counting chain. Two services on one VIP that share a real server:port are
 * told apart by the original destination port in a small chain (nft cannot put `ct
 * original proto-dst` in a concatenation of mixed protocols).
 */
function statsRules(plans: readonly ServicePlan[], out: Parts): RuleDef[] {
  const rules: RuleDef[] = [];
  for (const family of [4, 6] as const) {
    const groups = new Map<string, { p: ServicePlan; r: RsPlan }[]>();
    for (const p of plans.filter((x) => x.family === family)) {
      for (const r of p.realServers) {
        const k = `${p.address}|${r.address}|${r.port}|${l4(p)}`;
        groups.set(k, [...(groups.get(k) ?? []), { p, r }]);
      }
    }
    if (groups.size === 0) continue;
    const f = family === 6 ? 'ip6' : 'ip';
    const elems: [Expr, Stmt][] = [];
    for (const members of groups.values()) {
      const { p, r } = members[0]!;
      let target = CHAIN.stats4(p.id, r.id);
      if (members.length > 1) {
        target = CHAIN.statsByPort(p.id, r.id);
        out.chains.push({
          name: target,
          rules: members.map((m) => ({
            expr: [match(meta('l4proto'), l4(m.p)), match(ct('proto-dst', 'original'), m.p.port), jump(CHAIN.stats4(m.p.id, m.r.id))],
          })),
        });
      }
      elems.push([concat(p.address, r.address, r.port, l4(p)), jump(target)]);
    }
    const vip = ct(`${f} daddr`, 'original');
    rules.push(
      { expr: [match(ct('direction'), 'original'), vmap(concat(vip, payload(f, 'daddr'), payload('th', 'dport'), meta('l4proto')), elems)] },
      { expr: [match(ct('direction'), 'reply'), vmap(concat(vip, payload(f, 'saddr'), payload('th', 'sport'), meta('l4proto')), elems)] },
    );
  }
  return rules;
}

function sorted(parts: Parts): Parts {
  return { counters: [...new Set(parts.counters)], sets: parts.sets, chains: parts.chains };
}

/** The tables for `plan`: `inet halb` always, `netdev halb` while some service uses DR. */
export function renderTables(plan: Pick<NftPlan, 'services'>, o: RenderOptions = {}): TableDef[] {
  const nat = plan.services.filter((p) => p.forwarding === 'NAT');
  const dr = plan.services.filter((p) => p.forwarding === 'DR');
  const inet: Parts = { counters: [], sets: [], chains: [] };
  const dispatch = serviceVmap(nat, 'daddr', 'dport', (p) => CHAIN.service(p.id));
  inet.chains.push(
    { name: CHAIN.natPrerouting, base: { type: 'nat', hook: 'prerouting', prio: PRIO.dstnat, policy: 'accept' }, rules: dispatch },
    // Clients on the director itself, as IPVS serves them from LOCAL_OUT.
    { name: CHAIN.natOutput, base: { type: 'nat', hook: 'output', prio: PRIO.dstnat, policy: 'accept' }, rules: dispatch },
    { name: CHAIN.stats, base: { type: 'filter', hook: 'forward', prio: PRIO.stats, policy: 'accept' }, rules: statsRules(nat, inet) },
  );
  for (const p of nat) natService(p, o, inet);
  const tables: TableDef[] = [{ family: 'inet', name: TABLE, ...sorted(inet) }];
  if (dr.length === 0) return tables;
  const nd: Parts = { counters: [], sets: [], chains: [] };
  const devices = [...new Set([...dr.flatMap((p) => p.realServers.map((r) => r.device!)), ...(o.ingressDevices ?? [])])].sort();
  const ingressRules = [
    // Only frames sent to this host: a bridge floods frames for unknown MACs, and those
    // must not be forwarded a second time.
    ...serviceVmap(dr, 'daddr', 'dport', (p) => CHAIN.drService(p.id), [match(meta('pkttype'), 'host')]),
    ...serviceVmap(dr, 'saddr', 'sport', (p) => CHAIN.drReplies(p.id)),
  ];
  for (const dev of devices) {
    nd.chains.push({ name: CHAIN.ingress(dev), base: { type: 'filter', hook: 'ingress', prio: PRIO.ingress, dev, policy: 'accept' }, rules: ingressRules });
  }
  for (const p of dr) drService(p, o, nd);
  tables.push({ family: 'netdev', name: TABLE, ...sorted(nd) });
  return tables;
}
