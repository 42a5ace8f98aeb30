// The admin writes `halb ctl` sends over the control socket (weight, drain, enable,
// release): the same DaemonAdmin the HTTP API writes through, answered as control responses.
import type { ControlRequest, ControlResponse } from '../api/control-protocol.js';
import type { DaemonAdmin } from './admin-backend.js';

export async function adminCommand(admin: DaemonAdmin, req: ControlRequest & { cmd: 'weight' | 'drain' | 'enable' | 'release' }): Promise<ControlResponse> {
  const by = 'halb ctl';
  try {
    switch (req.cmd) {
      case 'weight': {
        const o = await admin.setWeight(req.service, req.realServer, req.weight, by);
        return { id: req.id, ok: true, result: { done: `weight of ${o.realServer} in ${o.service} set to ${o.weight}` } };
      }
      case 'drain':
        await admin.drain(req.service, req.realServer, by);
        return { id: req.id, ok: true, result: { done: `draining ${req.realServer} in ${req.service}` } };
      case 'enable':
        await admin.enable(req.service, req.realServer, by);
        return { id: req.id, ok: true, result: { done: `${req.realServer} in ${req.service} back to its configured weight` } };
      case 'release':
      {
        const n = await admin.releaseMastership(req.instance, by);
        return { id: req.id, ok: true, result: { done: `(${req.instance}) released mastership; ${n.message}` } };
      }
    }
  } catch (e) {
    return { id: req.id, ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}
