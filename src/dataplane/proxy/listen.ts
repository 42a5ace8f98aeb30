// Opening the VIP's listening socket, with failures turned into typed errors. A VIP that
// VRRP has not added yet fails with EADDRNOTAVAIL (Node 20 has no IP_FREEBIND); the
// engine keeps such a service waiting and tries again when the daemon reports the
// address, or on the next apply(). Setting net.ipv4.ip_nonlocal_bind=1 (and
// net.ipv6.ip_nonlocal_bind=1) in the namespace lets the bind succeed up front.

import dgram from 'node:dgram';
import net from 'node:net';
import type { HalbError } from '../../core/errors.js';
import { listenError } from '../dataplane.js';
import type { L4Protocol } from '../model.js';
import { TCP_SERVER_OPTIONS } from './tcp-proxy.js';

export type ListenResult<T> = { ok: true; value: T } | { ok: false; error: HalbError };

export interface ListenOptions {
  readonly protocol: L4Protocol;
  readonly address: string;
  readonly port: number;
  readonly family: 4 | 6;
  /** listen(2) backlog for TCP. */
  readonly backlog: number;
}

export function listenTcp(o: ListenOptions): Promise<ListenResult<net.Server>> {
  return new Promise((resolve) => {
    const server = net.createServer(TCP_SERVER_OPTIONS);
    const onError = (err: Error): void => {
      server.close();
      resolve({ ok: false, error: listenError('TCP', o.address, o.port, err) });
    };
    server.once('error', onError);
    // ipv6Only keeps a v6 service off v4 traffic, as an IPVS AF_INET6 service.
    server.listen({ host: o.address, port: o.port, backlog: o.backlog, ipv6Only: o.family === 6, exclusive: true }, () => {
      server.off('error', onError);
      resolve({ ok: true, value: server });
    });
  });
}

export function bindUdp(o: ListenOptions): Promise<ListenResult<dgram.Socket>> {
  return new Promise((resolve) => {
    const sock = dgram.createSocket({ type: o.family === 6 ? 'udp6' : 'udp4', ipv6Only: o.family === 6 });
    const onError = (err: Error): void => {
      sock.close();
      resolve({ ok: false, error: listenError('UDP', o.address, o.port, err) });
    };
    sock.once('error', onError);
    sock.bind({ address: o.address, port: o.port, exclusive: true }, () => {
      sock.off('error', onError);
      resolve({ ok: true, value: sock });
    });
  });
}
