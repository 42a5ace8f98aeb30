// Each director's keepalived.conf, in the seeds' own layout: global_defs with a
// router_id, one vrrp_instance VI_1 holding the VIP (MASTER at the top priority, BACKUP
// below), and one virtual_server on the VIP with a TCP_CHECK per real server. halb reads
// it unchanged; on the keepalived director Debian's keepalived reads the same file for
// VRRP (-P) while `halb -C` reads it for the LVS side. Pure.
//
// Where the lab departs from the seeds, on purpose:
//  - no persistence_timeout: with one client, persistence would pin every request on one
//    real server and hide what a real server failure does to the others;
//  - shorter checker timings (delay_loop 2, connect_timeout 1, retry 1), so a drill
//    sees a dead real server detected in seconds rather than half a minute;
//  - VRRPv3 (vrrp_version 3) drops the authentication block: RFC 5798 removed it;
//  - garp_master_refresh only when asked (--garp-master-refresh): the seeds have none,
//    and the partition drill shows what that costs a client after a split brain.
import { LAN_IF, GATEWAY_VRID, VRID, type Director, type Topology } from './topology.js';

export interface ConfigVariant {
  /** Real server weight (the reload drill changes it). */
  readonly weight?: number;
}

/** advert_int as keepalived writes it: whole seconds, or seconds with centiseconds. */
export function formatAdvertInt(s: number): string {
  return Number.isInteger(s) ? String(s) : (Math.round(s * 100) / 100).toFixed(2).replace(/0$/, '');
}

function vrrpInstance(t: Topology, d: Director, name: string, vrid: number, vip: string): string[] {
  const o = t.options;
  const lines = [
    `vrrp_instance ${name} {`,
    `    state ${d.state}`,
    `    interface ${LAN_IF}`,
    `    virtual_router_id ${vrid}`,
    `    priority ${d.priority}`,
    `    advert_int ${formatAdvertInt(o.advertInt)}`,
    ...(o.garpMasterRefresh > 0 ? [`    garp_master_refresh ${o.garpMasterRefresh}`] : []),
  ];
  if (o.vrrpVersion === 2) {
    lines.push('    authentication {', '        auth_type PASS', '        auth_pass 1111', '    }');
  }
  lines.push('    virtual_ipaddress {', `        ${vip}`, '    }', '}');
  return lines;
}

function virtualServer(t: Topology, weight: number): string[] {
  const kind = t.options.mode === 'dr' ? 'DR' : 'NAT';
  const lines = [
    `virtual_server ${t.vip} 80 {`,
    '    delay_loop 2',
    `    lb_algo ${t.options.lbAlgo ?? 'rr'}`,
    // mh on the client port too: one client's connections spread over the servers.
    ...(t.options.lbAlgo === 'mh' ? ['    mh-port'] : []),
    `    lb_kind ${kind}`,
    '    protocol TCP',
  ];
  for (const rs of t.realServers) {
    lines.push(
      '',
      `    real_server ${rs.address} ${rs.port} {`,
      `        weight ${weight}`,
      '        TCP_CHECK {',
      '            connect_timeout 1',
      '            retry 1',
      '            delay_before_retry 1',
      '        }',
      '    }',
    );
  }
  lines.push('}');
  return lines;
}

/** Kernel NAT with halb doing VRRP: halb runs conntrackd (docs/conntrack-sync.md) unless told not to. */
function connSync(t: Topology, d: Director): boolean {
  return t.options.dataplane === 'nft' && t.options.mode === 'nat' && d.software === 'halb' && t.options.connSync !== false;
}

/** The keepalived.conf of director `d`. */
export function directorConfig(t: Topology, d: Director, v: ConfigVariant = {}): string {
  const head = [
    '! Configuration File for keepalived',
    `! ${d.role} of the halb lab: ${d.state} at priority ${d.priority}; ${d.software === 'keepalived' ? 'VRRP by keepalived -P, LVS side by halb -C' : 'VRRP and LVS side by halb'}`,
    '',
    'global_defs {',
    `   router_id ${d.routerId}`,
    ...(t.options.vrrpVersion === 3 ? ['   vrrp_version 3'] : []),
    ...(connSync(t, d) ? ['   halb_conntrack_sync VI_1'] : []),
    '}',
    '',
  ];
  const body = [...vrrpInstance(t, d, 'VI_1', VRID, t.vip)];
  if (t.gatewayVip !== undefined) {
    // Kernel NAT: the real servers' replies must come back through the master, so its
    // gateway address moves with the VIP (one sync group, one state).
    body.push('', ...vrrpInstance(t, d, 'VI_2', GATEWAY_VRID, t.gatewayVip), '',
      'vrrp_sync_group VG_1 {', '    group {', '        VI_1', '        VI_2', '    }', '}');
  }
  return `${[...head, ...body, '', ...virtualServer(t, v.weight ?? 1)].join('\n')}\n`;
}
