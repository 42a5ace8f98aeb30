// Loads the N-API addon (native/). Only src/sys/ may import this file.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { NotSupportedError } from '../core/errors.js';

export interface NativeRecv {
  bytes: number;
  truncated: number;
  src: string;
  dst: string;
  ifindex: number;
  ttl: number;
}

export interface NativeAddon {
  socket(domain: number, type: number, protocol: number): number;
  close(fd: number): void;
  setsockoptInt(fd: number, level: number, name: number, value: number): void;
  getsockoptInt(fd: number, level: number, name: number): number;
  bindToDevice(fd: number, ifname: string): void;
  bindAddr(fd: number, addr: string, scopeIfindex: number): void;
  ifNameToIndex(ifname: string): number;
  membership(fd: number, group: string, ifindex: number, join: boolean): void;
  multicastIf4(fd: number, ifindex: number): void;
  sendTo(fd: number, buf: Buffer, addr: string, ifindex: number): number;
  sendPacket(fd: number, frame: Buffer, ifindex: number, ethertype: number, dstMac: Buffer): number;
  sendNetlink(fd: number, buf: Buffer): number;
  bindNetlink(fd: number, groups: number): void;
  recvMsg(fd: number, buf: Buffer): NativeRecv | null;
  pollStart(fd: number, cb: (status: number, events: number) => void): object;
  pollStop(handle: object): void;
  /** uv_signal for any signal number (real-time ones included); the handle does not hold the loop open. */
  signalStart(signum: number, cb: (signum: number) => void): object;
  signalStop(handle: object): void;
  /** SO_ATTACH_FILTER: a classic BPF program as the bytes of struct sock_filter[] (replaces any attached before). */
  attachFilter(fd: number, program: Buffer): void;
  /** One datagram to an AF_UNIX socket path ('@' = abstract namespace): sd_notify. */
  sendUnixDgram(path: string, buf: Buffer): number;
  readonly SIGRTMIN: number;
  readonly SIGRTMAX: number;
  readonly AF_INET: number;
  readonly AF_INET6: number;
  readonly AF_PACKET: number;
  readonly AF_NETLINK: number;
  readonly SOCK_RAW: number;
  readonly SOCK_DGRAM: number;
  readonly SOL_SOCKET: number;
  readonly SO_RCVBUF: number;
  readonly SO_PRIORITY: number;
  readonly IPPROTO_IP: number;
  readonly IPPROTO_IPV6: number;
  readonly IP_HDRINCL: number;
  readonly IP_TTL: number;
  readonly IP_MULTICAST_TTL: number;
  readonly IP_MULTICAST_LOOP: number;
  readonly IP_MULTICAST_ALL: number;
  readonly IP_PKTINFO: number;
  readonly IP_RECVTTL: number;
  readonly IPV6_UNICAST_HOPS: number;
  readonly IPV6_MULTICAST_HOPS: number;
  readonly IPV6_MULTICAST_IF: number;
  readonly IPV6_MULTICAST_LOOP: number;
  readonly IPV6_RECVPKTINFO: number;
  readonly IPV6_RECVHOPLIMIT: number;
  readonly IPV6_CHECKSUM: number;
  readonly NETLINK_ROUTE: number;
}

let cached: NativeAddon | undefined;

export function native(): NativeAddon {
  if (cached !== undefined) return cached;
  if (process.platform !== 'linux') {
    throw new NotSupportedError(`raw sockets need Linux; this is ${process.platform} (the proxy dataplane still works)`);
  }
  const require = createRequire(import.meta.url);
  try {
    // node-gyp-build: native/build/Release (built from source) first, else the prebuilt
    // addon the package ships in native/prebuilds/<platform>-<arch>/.
    const dir = fileURLToPath(new URL('../../../native/', import.meta.url));
    let load: (d: string) => unknown;
    try {
      load = require('node-gyp-build') as (d: string) => unknown;
    } catch {
      // A checkout whose node_modules predates node-gyp-build: the source build is all there is.
      load = (d) => require(`${d}build/Release/halb_net.node`);
    }
    cached = load(dir) as NativeAddon;
  } catch (e) {
    throw new NotSupportedError('the native addon is neither prebuilt for this platform nor built: run `npm rebuild halb` (node-gyp in native/)', { cause: e });
  }
  return cached;
}
