// With `lvs_sync_daemon IF ...` in the config, halb watches the sync traffic on IF: it
// joins the sync group (224.0.0.81:8848 unless `group`/`port` say otherwise) and
// decodes each datagram with the protocol v1 codec, counting messages, connections and
// templates, and drops by reason, for `halb ctl status` (ipvsSync) and /metrics
// (halb_ipvs_sync_*). This only observes: starting and stopping the kernel's sync
// daemons is ipvs-syncd.ts's (IPVS dataplane only). The kernel's master does not loop its own
// messages back, so a director sees the traffic while it is the backup.
import type { Logger } from '../core/log.js';
import type { KeepalivedConfig } from '../config/index.js';
import type { IpvsSyncStatus } from '../api/control-protocol.js';
import { decodeSyncMessage, summarise } from '../dataplane/ipvs-sync/codec.js';
import { listenSyncGroup, type SyncListener } from '../sys/ipvs-sync-socket.js';
import { hostAddresses, type InterfaceAddresses } from './conntrack-sync.js';
import { isIP } from 'node:net';

type Mutable = { -readonly [K in keyof IpvsSyncStatus]: IpvsSyncStatus[K] } & { dropped: Record<string, number> };

export class IpvsSyncObserver {
  readonly #log: Logger;
  readonly #addrs: InterfaceAddresses;
  #listener: SyncListener | undefined;
  #key = '';
  #status: Mutable | undefined;

  constructor(log: Logger, addrs: InterfaceAddresses = hostAddresses) {
    this.#log = log.child({ component: 'ipvs-sync' });
    this.#addrs = addrs;
  }

  async apply(cfg: KeepalivedConfig): Promise<void> {
    const d = cfg.global.lvsSyncDaemon;
    const key = d === undefined ? '' : `${d.interface}|${d.group}|${d.port}|${d.syncId ?? ''}`;
    if (key === this.#key) return;
    this.stop();
    this.#key = key;
    if (d === undefined) return;
    const status: Mutable = { interface: d.interface, group: d.group, port: d.port, listening: false, messages: 0, conns: 0, templates: 0, dropped: {} };
    this.#status = status;
    // IPv4: joined by the interface's address; IPv6: by the interface itself (its scope).
    const local = isIP(d.group) === 6 ? `::%${d.interface}` : this.#addrs(d.interface).find((a) => isIP(a) === 4);
    if (local === undefined) {
      status.error = `interface ${d.interface} has no IPv4 address`;
      this.#log.warn(`lvs_sync_daemon traffic not observed: ${status.error}`);
      return;
    }
    try {
      this.#listener = await listenSyncGroup({ group: d.group, port: d.port, interfaceAddress: local }, (buf) => {
        const r = decodeSyncMessage(buf);
        status.lastAt = Date.now();
        if (!r.ok) {
          status.dropped[r.reason] = (status.dropped[r.reason] ?? 0) + 1;
          return;
        }
        if (d.syncId !== undefined && d.syncId !== 0 && r.message.syncId !== d.syncId) {
          status.dropped.OTHER_SYNCID = (status.dropped.OTHER_SYNCID ?? 0) + 1;
          return;
        }
        const s = summarise(r.message);
        status.messages++;
        status.conns += s.conns;
        status.templates += s.templates;
      });
      status.listening = true;
      this.#log.info(`observing IPVS sync traffic on ${d.interface} (${isIP(d.group) === 6 ? `[${d.group}]` : d.group}:${d.port})`);
    } catch (e) {
      status.error = (e as Error).message;
      this.#log.warn(`lvs_sync_daemon traffic not observed: ${status.error}`);
    }
  }

  snapshot(): IpvsSyncStatus | undefined {
    return this.#status === undefined ? undefined : { ...this.#status, dropped: { ...this.#status.dropped } };
  }

  stop(): void {
    this.#listener?.close();
    this.#listener = undefined;
    this.#status = undefined;
    this.#key = '';
  }
}
