// virtual_server_group NAME { ADDR[-END|/LEN] [PORT] | fwmark N [inet|inet6] ... }
// (keepalived's vsg_handler + alloc_vsg_entry). A group left without entries is dropped,
// reported at its closing brace.
import type { KeepalivedConfig } from '../model/index.js';
import type { SourcePos } from '../diagnostics.js';
import type { Handler } from '../parser.js';
import { linesBlock, skipBlock } from '../parser.js';
import type { VirtualServerGroup } from '../model/lvs.js';
import { parseVsgEntry } from './lvs-addr.js';
import { blockEnd } from './lvs-draft.js';
import { need } from './lvs-values.js';

export function virtualServerGroupHandler(cfg: KeepalivedConfig): Handler {
  return (s, p) => {
    const name = need(s, p);
    if (name === undefined) return skipBlock;
    const group: VirtualServerGroup = { pos: s.pos, name, entries: [] };
    let last = s.pos;
    return linesBlock((line) => {
      last = line.pos;
      const e = parseVsgEntry(line, p, name);
      if (e !== undefined) group.entries.push(e);
    }, (closePos?: SourcePos) => {
      const at = blockEnd(closePos, last);
      if (group.entries.length === 0) {
        p.diag.error(at, `virtual server group ${name} has no entries - removing`);
        return;
      }
      const fams = new Set(group.entries.filter((e) => e.kind === 'range' || e.family !== undefined).map((e) => e.family));
      if (fams.size === 2 && group.entries.some((e) => e.kind === 'fwmark' && e.family === undefined)) {
        p.diag.error(at, `virtual server group ${name} cannot have IPv4, IPv6 and fwmark without family - removing`);
        return;
      }
      cfg.virtualServerGroups.push(group);
    });
  };
}
