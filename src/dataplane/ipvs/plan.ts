// Step 1 of the IPVS engine (plan -> encode -> apply): the difference between the table
// halb holds in the kernel and the table the desired state asks for, as the list of
// IPVS commands that turns one into the other. Pure. Like keepalived (ipwrapper.c
// clear_diff_services / clear_diff_rs), nothing unchanged is touched: a service whose
// settings changed is edited in place (SET_SERVICE keeps its connections and
// destinations), a destination whose weight changed is edited (SET_DEST), a removed one
// deleted (its connections finish through IPVS's trash), only new ones added.
import { destKey, sameDest, sameSettings, type IpvsDestDef, type IpvsServiceDef, type IpvsTable } from './table.js';

export type IpvsOp =
  | { readonly kind: 'add-service'; readonly key: string; readonly service: IpvsServiceDef }
  | { readonly kind: 'edit-service'; readonly key: string; readonly service: IpvsServiceDef }
  | { readonly kind: 'del-service'; readonly key: string; readonly service: IpvsServiceDef }
  | { readonly kind: 'add-dest'; readonly key: string; readonly service: IpvsServiceDef; readonly dest: IpvsDestDef }
  | { readonly kind: 'edit-dest'; readonly key: string; readonly service: IpvsServiceDef; readonly dest: IpvsDestDef }
  | { readonly kind: 'del-dest'; readonly key: string; readonly service: IpvsServiceDef; readonly dest: IpvsDestDef };

/**
 * The commands from `current` to `desired`, in an order the kernel accepts: removals of
 * services first, then per service its edit, destination removals, edits and additions
 * (removals before additions so a server moving between forwarding methods or a full
 * pool never collides), then new services with their destinations.
 */
export function planIpvs(current: IpvsTable, desired: IpvsTable): IpvsOp[] {
  const ops: IpvsOp[] = [];
  for (const [key, cur] of current) {
    if (!desired.has(key)) ops.push({ kind: 'del-service', key, service: cur.service });
  }
  for (const [key, want] of desired) {
    const cur = current.get(key);
    if (cur === undefined) {
      ops.push({ kind: 'add-service', key, service: want.service });
      for (const d of want.dests.values()) ops.push({ kind: 'add-dest', key, service: want.service, dest: d });
      continue;
    }
    if (!sameSettings(cur.service, want.service)) ops.push({ kind: 'edit-service', key, service: want.service });
    for (const [dk, d] of cur.dests) {
      if (!want.dests.has(dk)) ops.push({ kind: 'del-dest', key, service: want.service, dest: d });
    }
    for (const [dk, d] of want.dests) {
      const c = cur.dests.get(dk);
      if (c === undefined) ops.push({ kind: 'add-dest', key, service: want.service, dest: d });
      else if (!sameDest(c, d)) ops.push({ kind: 'edit-dest', key, service: want.service, dest: d });
    }
  }
  return ops;
}

/** Apply one successful op to a copy of the table halb believes the kernel holds. */
export function afterOp(table: IpvsTable, op: IpvsOp): IpvsTable {
  const out = new Map(table);
  const cur = out.get(op.key);
  switch (op.kind) {
    case 'add-service':
      out.set(op.key, { key: op.key, service: op.service, dests: new Map() });
      break;
    case 'edit-service':
      if (cur) out.set(op.key, { ...cur, service: op.service });
      break;
    case 'del-service':
      out.delete(op.key);
      break;
    case 'add-dest':
    case 'edit-dest':
      if (cur) out.set(op.key, { ...cur, dests: new Map(cur.dests).set(destKey(op.dest), op.dest) });
      break;
    case 'del-dest':
      if (cur) {
        const dests = new Map(cur.dests);
        dests.delete(destKey(op.dest));
        out.set(op.key, { ...cur, dests });
      }
      break;
  }
  return out;
}
