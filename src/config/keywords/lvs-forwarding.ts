// lvs_method / lb_kind / sorry_server_lvs_method: `NAT | DR | TUN [type ipip|gue|gre]
// [port N] [nocsum|csum|remcsum]` (keepalived's svr_forwarding_handler). As in keepalived,
// a bad tunnel option still switches the method to TUN but keeps the previous tunnel
// settings, which start as ipip without checksum.
import type { Stmt } from '../lexer.js';
import type { Parser } from '../parser.js';
import type { Forwarding, TunnelOptions } from '../model/lvs.js';
import { need, parseUnsigned } from './lvs-values.js';

export const DEFAULT_TUNNEL: TunnelOptions = { type: 'ipip', checksum: 'nocsum' };

export type ServerType = 'virtual' | 'real' | 'sorry';

/** The new forwarding, or undefined when the method word itself was bad (value unchanged). */
export function parseForwarding(s: Stmt, p: Parser, prev: Forwarding | undefined, serverType: ServerType): Forwarding | undefined {
  const method = need(s, p, 1);
  if (method === undefined) return undefined;
  const err = (msg: string): void => p.diag.error(s.pos, msg, s.words[0]);
  if (method === 'NAT' || method === 'DR') return { method };
  if (method !== 'TUN') {
    err(`PARSER : unknown [${method}] routing method for ${serverType} server.`);
    return undefined;
  }
  const kept: Forwarding = { method: 'TUN', tunnel: prev?.tunnel ?? DEFAULT_TUNNEL };
  let type: TunnelOptions['type'] = 'ipip';
  let port = 0;
  let checksum: TunnelOptions['checksum'] = 'nocsum';
  for (let i = 2; i < s.words.length; i++) {
    const w = s.words[i] as string;
    if (w === 'type') {
      const t = s.words[i + 1];
      if (t === undefined) {
        err(`Missing tunnel type for ${serverType} server.`);
        return kept;
      }
      if (t !== 'ipip' && t !== 'gue' && t !== 'gre') {
        err(`Unknown tunnel type ${t} for ${serverType} server.`);
        return kept;
      }
      type = t;
      i++;
    } else if (w === 'port') {
      const t = s.words[i + 1];
      if (t === undefined) {
        err(`Missing port for ${serverType} server gue tunnel.`);
        return kept;
      }
      const v = parseUnsigned(t, s, p, 1, 65535);
      if (v === undefined) {
        err(`Invalid gue tunnel port ${t} for ${serverType} server.`);
        return kept;
      }
      port = v;
      i++;
    } else if (w === 'nocsum' || w === 'csum' || w === 'remcsum') {
      checksum = w;
    } else {
      err(`Invalid tunnel option ${w} for ${serverType} server.`);
      return kept;
    }
  }
  if ((type === 'gue') !== (port !== 0)) {
    err('gue tunnels require port, otherwise cannot have port.');
    return kept;
  }
  if (type === 'ipip' && checksum !== 'nocsum') {
    err('ipip tunnels do not support checksum option.');
    return kept;
  }
  if (type === 'gre' && checksum === 'remcsum') {
    err('gre tunnels do not support remote checksum option.');
    return kept;
  }
  return { method: 'TUN', tunnel: type === 'gue' ? { type, port, checksum } : { type, checksum } };
}
