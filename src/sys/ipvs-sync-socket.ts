// A UDP socket that joins the IPVS sync multicast group on one interface and hands
// every datagram to the caller: what the kernel's sync daemon (lvs_sync_daemon) sends
// from the master director, seen beside the kernel's own receiver (both bind the port
// with SO_REUSEADDR; a multicast datagram goes to every socket bound to it). An IPv6
// group (`lvs_sync_daemon ... group ff02::...`, MCAST_GROUP6) is joined on the interface
// by its scope: `interfaceAddress` '::%eth0'.
import { createSocket, type Socket } from 'node:dgram';
import { isIP } from 'node:net';

export interface SyncListener {
  close(): void;
}

/** Resolves once bound and joined; rejects with the socket's error (EADDRNOTAVAIL, EACCES, ...). */
export function listenSyncGroup(o: { readonly group: string; readonly port: number; readonly interfaceAddress: string },
  onDatagram: (buf: Buffer, from: string) => void): Promise<SyncListener> {
  return new Promise((resolve, reject) => {
    const s: Socket = createSocket({ type: isIP(o.group) === 6 ? 'udp6' : 'udp4', reuseAddr: true });
    let bound = false;
    s.on('error', (e) => {
      if (!bound) reject(e);
    });
    s.on('message', (buf, rinfo) => onDatagram(buf, rinfo.address));
    s.bind(o.port, () => {
      try {
        s.addMembership(o.group, o.interfaceAddress);
      } catch (e) {
        s.close();
        reject(e as Error);
        return;
      }
      bound = true;
      resolve({ close: () => s.close() });
    });
  });
}
