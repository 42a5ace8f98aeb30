// A multi-host LAN of network namespaces for VRRP tests: a 'switch' namespace holding a
// bridge, and one namespace per host with an `eth0` veth whose other end is a bridge port.
// Nothing is created in the root namespace. Documentation addresses only
// (192.0.2.0/24, 2001:db8::/64). DAD is off in every host, so IPv6 addresses (link-local
// included) are usable at once.
import { spawnSync } from 'node:child_process';
import { NetNs } from './netns.js';
import { HALB } from './daemon-process.js';
import { execIn } from '../../src/sys/netns.js';

export interface LanHost {
  readonly name: string;
  /** CIDR addresses for eth0. */
  readonly addresses: readonly string[];
}

function ip(args: readonly string[]): string {
  const r = spawnSync('ip', args, { encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')} failed: ${r.stderr.trim()}`);
  return r.stdout;
}

export class Lan {
  readonly switchNs: NetNs;
  readonly #hosts = new Map<string, NetNs>();
  #destroyed = false;

  private constructor(switchNs: NetNs) {
    this.switchNs = switchNs;
  }

  static create(tag: string, hosts: readonly LanHost[]): Lan {
    const lan = new Lan(NetNs.create(`${tag}-sw`, []));
    try {
      const sw = lan.switchNs.name;
      // No STP delay; no multicast snooping, so ff02::12 is flooded like 224.0.0.18.
      ip(['-n', sw, 'link', 'add', 'br0', 'type', 'bridge', 'stp_state', '0', 'forward_delay', '0', 'mcast_snooping', '0']);
      ip(['-n', sw, 'link', 'set', 'br0', 'up']);
      hosts.forEach((h, i) => {
        const ns = NetNs.create(`${tag}-${h.name}`, []);
        lan.#hosts.set(h.name, ns);
        const sysctl = ns.run('sysctl', ['-qw', 'net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0']);
        if (sysctl.status !== 0) throw new Error(`sysctl in ${ns.name}: ${sysctl.stderr}`);
        ip(['link', 'add', 'eth0', 'netns', ns.name, 'type', 'veth', 'peer', 'name', `p${i}`, 'netns', sw]);
        ip(['-n', sw, 'link', 'set', `p${i}`, 'master', 'br0', 'up']);
        for (const a of h.addresses) ip(['-n', ns.name, 'addr', 'add', a, 'dev', 'eth0', ...(a.includes(':') ? ['nodad'] : [])]);
        ip(['-n', ns.name, 'link', 'set', 'eth0', 'up']);
      });
    } catch (e) {
      lan.destroy();
      throw e;
    }
    return lan;
  }

  ns(host: string): NetNs {
    const ns = this.#hosts.get(host);
    if (ns === undefined) throw new Error(`no host ${host} on this LAN`);
    return ns;
  }

  /** The MAC address of a host's eth0. */
  mac(host: string): string {
    const out = JSON.parse(ip(['-n', this.ns(host).name, '-j', 'link', 'show', 'eth0'])) as { address: string }[];
    return out[0]!.address;
  }

  /** The addresses on a host's eth0, without prefix length. */
  addresses(host: string): string[] {
    const out = JSON.parse(ip(['-n', this.ns(host).name, '-j', 'addr', 'show', 'dev', 'eth0'])) as { addr_info: { local: string }[] }[];
    return (out[0]?.addr_info ?? []).map((a) => a.local);
  }

  holds(host: string, addr: string): boolean {
    return this.addresses(host).includes(addr);
  }

  /**
   * Which host answers ARP / ND for `addr`, seen from `client`: flush the client's
   * neighbour cache, ping once, and read the MAC it learnt. undefined when nobody answered.
   */
  whoAnswers(client: string, addr: string): string | undefined {
    const ns = this.ns(client);
    ns.run('ip', ['neigh', 'flush', 'dev', 'eth0']);
    ns.run('ping', [...(addr.includes(':') ? ['-6'] : []), '-c', '1', '-W', '1', addr], { timeoutMs: 5000 });
    const out = ns.run('ip', ['-j', 'neigh', 'show', addr, 'dev', 'eth0']);
    const entries = JSON.parse(out.stdout || '[]') as { lladdr?: string; state?: string[] }[];
    const mac = entries.find((e) => e.lladdr !== undefined && !(e.state ?? []).includes('FAILED'))?.lladdr;
    if (mac === undefined) return undefined;
    for (const h of this.#hosts.keys()) if (this.mac(h) === mac) return h;
    return `unknown MAC ${mac}`;
  }

  /**
   * `halb realserver ARGS` on every named host at once: each is a Node start, seconds
   * under emulation. Rejects naming the host whose command failed.
   */
  async halbRealserver(hosts: readonly string[], args: readonly string[]): Promise<void> {
    await Promise.all(hosts.map(async (h) => {
      const r = await execIn(this.ns(h).name, process.execPath, [HALB, 'realserver', ...args], 120_000);
      if (r.status !== 0) throw new Error(`${h}: halb realserver ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    }));
  }

  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    for (const ns of this.#hosts.values()) ns.destroy();
    this.switchNs.destroy();
  }
}
