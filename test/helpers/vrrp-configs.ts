// One description of a VRRP instance, written out as keepalived.conf for keepalived and
// as run-vrrp-instance.ts JSON for halb, so both peers of a netns test agree by
// construction on VRID, version, interval, authentication and VIPs.
export interface PeerInstance {
  readonly name: string;
  readonly vrid: number;
  readonly version: 2 | 3;
  readonly priority: number;
  /** Seconds (v2: whole seconds). */
  readonly advertInt: number;
  /** CIDR VIPs, one family. */
  readonly vips: readonly string[];
  readonly state?: 'MASTER' | 'BACKUP';
  readonly nopreempt?: boolean;
  readonly authPass?: string;
  readonly unicastSrc?: string;
  readonly unicastPeers?: readonly string[];
  /** vrrp_script names with their weight for this instance. */
  readonly trackScripts?: readonly { readonly script: string; readonly weight: number }[];
}

export interface PeerScript {
  readonly name: string;
  readonly argv: readonly string[];
  readonly intervalSec: number;
  readonly weight: number;
}

const familyOf = (cidr: string): 4 | 6 => (cidr.includes(':') ? 6 : 4);

export function keepalivedConf(insts: readonly PeerInstance[], scripts: readonly PeerScript[] = []): string {
  const out: string[] = ['global_defs {', '  router_id halb_test_peer', '}'];
  for (const s of scripts) {
    out.push(`vrrp_script ${s.name} {`, `  script "${s.argv.join(' ')}"`, `  interval ${s.intervalSec}`, `  weight ${s.weight}`, '}');
  }
  for (const i of insts) {
    out.push(`vrrp_instance ${i.name} {`, `  state ${i.state ?? 'BACKUP'}`, '  interface eth0', `  virtual_router_id ${i.vrid}`,
      `  priority ${i.priority}`, `  advert_int ${i.advertInt}`, `  version ${i.version}`);
    if (i.nopreempt === true) out.push('  nopreempt');
    if (i.authPass !== undefined) out.push('  authentication {', '    auth_type PASS', `    auth_pass ${i.authPass}`, '  }');
    if (i.unicastSrc !== undefined) out.push(`  unicast_src_ip ${i.unicastSrc}`);
    if (i.unicastPeers !== undefined) out.push('  unicast_peer {', ...i.unicastPeers.map((p) => `    ${p}`), '  }');
    out.push('  virtual_ipaddress {', ...i.vips.map((v) => `    ${v} dev eth0`), '  }');
    if (i.trackScripts !== undefined) out.push('  track_script {', ...i.trackScripts.map((t) => `    ${t.script} weight ${t.weight}`), '  }');
    out.push('}');
  }
  return `${out.join('\n')}\n`;
}

export function halbSpec(insts: readonly PeerInstance[], scripts: readonly PeerScript[] = []): unknown {
  return {
    scripts: scripts.map((s) => ({
      name: s.name, command: { argv: s.argv }, intervalMs: s.intervalSec * 1000, timeoutMs: s.intervalSec * 1000,
      weight: s.weight, rise: 1, fall: 1,
    })),
    instances: insts.map((i) => {
      const family = familyOf(i.vips[0]!);
      return {
        fsm: {
          name: i.name, vrid: i.vrid, version: i.version, priority: i.priority, advertIntCs: Math.round(i.advertInt * 100),
          initialState: i.state ?? 'BACKUP', preempt: i.nopreempt !== true,
        },
        io: {
          interface: 'eth0', family,
          vips: i.vips.map((v) => {
            const [address, len] = v.split('/');
            return { address, family: familyOf(v), prefixLength: Number(len ?? (family === 4 ? 32 : 128)) };
          }),
          ...(i.authPass !== undefined ? { auth: { type: 'pass', password: i.authPass } } : {}),
          ...(i.unicastSrc !== undefined ? { srcAddr: i.unicastSrc } : {}),
          ...(i.unicastPeers !== undefined ? { unicastPeers: i.unicastPeers.map((address) => ({ address })) } : {}),
          ...(i.trackScripts !== undefined ? { trackScripts: i.trackScripts.map((t) => ({ script: t.script, weight: t.weight })) } : {}),
        },
      };
    }),
  };
}

/** Master_Down_Interval in ms for a backup of `priority` (RFC 3768 / RFC 5798 §6.1). */
export function masterDownMs(version: 2 | 3, priority: number, advertIntSec: number): number {
  const skew = version === 2 ? (256 - priority) / 256 : ((256 - priority) * advertIntSec) / 256;
  return (3 * advertIntSec + skew) * 1000;
}
