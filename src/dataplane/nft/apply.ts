// Step 3 of the nftables engine, and the only file of it that touches the host: the
// NftBackend the engine runs against, built on nft (one `nft -j -f -` per transaction),
// /proc/net/nf_conntrack, `ip route get` and sysctl (src/sys/).
import { NotSupportedError, PermissionError, SysError } from '../../core/errors.js';
import { hasNetAdmin } from '../../sys/capability.js';
import { nftCheck, nftList, nftTransaction, nftVersion, readConntrack } from '../../sys/nft.js';
import { routeGet } from '../../sys/route-get.js';
import { readSysctl, writeSysctl } from '../../sys/sysctl.js';
import type { NftBackend } from './backend.js';
import { counter, drop, fwd, jhash, match, meta, numgen, payload, vmap, type Json, type TableFamily } from './nft-json.js';
import { parseConntrack, parseListing, type TableReading } from './readings.js';

export interface SystemBackendOptions {
  /** Run every command in this network namespace (tests); the process's own otherwise. */
  readonly netns?: string;
}

const EMPTY: TableReading = { counters: new Map(), sets: new Map() };
/** PermissionError unless this process may change nftables (root, or CAP_NET_ADMIN in its effective set). */
async function checkCapability(): Promise<void> {
  if (await hasNetAdmin()) return;
  throw new PermissionError('CAP_NET_ADMIN',
    'the nft dataplane changes the kernel\'s nftables ruleset and needs CAP_NET_ADMIN: run halb as root, ' +
    'grant the capability (e.g. systemd AmbientCapabilities=CAP_NET_ADMIN), or use --dataplane proxy');
}

/** A throwaway ruleset using every kernel feature the engine renders, for `nft -c`. */
function probeRuleset(dr: boolean): Json[] {
  const inet = { family: 'inet', table: 'halb_probe' };
  const cmds: Json[] = [
    { add: { table: { family: 'inet', name: 'halb_probe' } } },
    { add: { chain: { ...inet, name: 'pre', type: 'nat', hook: 'prerouting', prio: -100, policy: 'accept' } } },
    { add: { counter: { ...inet, name: 'c' } } },
    { add: { set: { ...inet, name: 's', type: 'ipv4_addr', flags: ['timeout'], timeout: 60 } } },
    {
      add: {
        rule: {
          ...inet, chain: 'pre',
          expr: [vmap(numgen('inc', 2), [[0, { accept: null }], [1, drop]]), counter('c')],
        },
      },
    },
    { add: { rule: { ...inet, chain: 'pre', expr: [vmap(jhash(payload('ip', 'saddr'), 256, 1), [[0, drop]])] } } },
    { add: { rule: { ...inet, chain: 'pre', expr: [{ set: { op: 'update', elem: payload('ip', 'saddr'), set: '@s' } }] } } },
  ];
  if (dr) {
    const nd = { family: 'netdev', table: 'halb_probe' };
    cmds.push(
      { add: { table: { family: 'netdev', name: 'halb_probe' } } },
      { add: { chain: { ...nd, name: 'in', type: 'filter', hook: 'ingress', prio: -100, dev: 'lo', policy: 'accept' } } },
      { add: { rule: { ...nd, chain: 'in', expr: [match(meta('l4proto'), 'tcp'), fwd('ip', '192.0.2.1', 'lo')] } } },
    );
  }
  return cmds;
}

/** A listing of one of our tables; a table that is not there reads as empty. */
async function listOrEmpty(what: readonly string[], ns: { netns?: string }): Promise<TableReading> {
  try {
    return parseListing(await nftList(what, ns));
  } catch (e) {
    if (e instanceof SysError && /No such file or directory/.test(e.message)) return EMPTY;
    throw e;
  }
}

export function systemBackend(opts: SystemBackendOptions = {}): NftBackend {
  const ns = opts.netns !== undefined ? { netns: opts.netns } : {};
  return {
    async probe(needs) {
      await checkCapability();
      try {
        await nftVersion(ns);
      } catch (e) {
        throw new NotSupportedError(`the nft dataplane needs the nft command (Debian: apt-get install nftables): ${(e as Error).message}`, { cause: e });
      }
      try {
        await nftCheck(probeRuleset(needs.dr) as Record<string, unknown>[], ns);
      } catch (e) {
        if (e instanceof PermissionError) throw e;
        const what = needs.dr ? 'nat, numgen, jhash, dynamic sets, the netdev family and fwd' : 'nat, numgen, jhash and dynamic sets';
        throw new NotSupportedError(`this kernel's nftables cannot do what the nft dataplane needs (${what}): ${(e as Error).message}`, { cause: e });
      }
    },
    transaction: (commands) => nftTransaction(commands as Record<string, unknown>[], ns),
    counters: (family: TableFamily, table: string) => listOrEmpty(['counters', 'table', family, table], ns),
    table: (family: TableFamily, table: string) => listOrEmpty(['table', family, table], ns),
    async conntrack() {
      try {
        return parseConntrack(await readConntrack(ns));
      } catch (e) {
        // Without conntrack's proc file there are no connection counts; counters still work.
        if (e instanceof NotSupportedError) return [];
        throw e;
      }
    },
    route: (address) => routeGet(address, ns),
    async ensureForwarding(family) {
      const name = family === 6 ? 'net.ipv6.conf.all.forwarding' : 'net.ipv4.ip_forward';
      if ((await readSysctl(name, ns)) === '1') return false;
      await writeSysctl(name, 1, ns);
      return true;
    },
  };
}
