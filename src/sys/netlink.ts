// rtnetlink sockets: requests with acknowledgements (add/remove addresses, routes and
// rules; dump links and addresses) and a monitor for link and address notifications
// (RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR), as keepalived keeps a
// command socket and a monitor socket (keepalived/core/keepalived_netlink.c).
// The bytes are built and parsed in netlink-codec.ts / netlink-route.ts.
import { PermissionError, SysError } from '../core/errors.js';
import type { IpRoute, IpRule } from '../config/model/ip.js';
import {
  NLM_F, NLMSG, RTM, RTMGRP, decodeAddress, decodeLink, encodeAddress, encodeGetAddr, encodeGetLink,
  parseError, parseMessages, type AddressInfo, type AddressSpec, type LinkInfo, type NlMessage,
} from './netlink-codec.js';
import { encodeRoute, encodeRule, type IfIndexOf } from './netlink-route.js';
import { native, type NativeAddon } from './native.js';

type Errnoish = Error & { code?: string; syscall?: string };

/** linux/netlink.h: SOL_NETLINK and the NETLINK_EXT_ACK option (Linux 4.12+). */
const SOL_NETLINK = 270;
const NETLINK_EXT_ACK = 11;

const RTNL_PERM = 'halb needs CAP_NET_ADMIN to change addresses, routes and rules';

function wrap(e: unknown, what: string, perm = RTNL_PERM): Error {
  const err = e as Errnoish;
  if (err.code === 'EPERM' || err.code === 'EACCES') {
    return new PermissionError('CAP_NET_ADMIN', `${what}: permission denied: ${perm}`, { cause: e });
  }
  return new SysError(err.syscall ?? what, `${what}: ${err.message}`, err.code, { cause: e });
}

/** A raw netlink socket (NETLINK_ROUTE unless told), readable through uv_poll. */
class NlSocket {
  readonly #n: NativeAddon;
  readonly #fd: number;
  readonly #buf = Buffer.allocUnsafe(256 * 1024);
  #poll: object | undefined;
  #closed = false;

  constructor(groups: number, protocol?: number) {
    this.#n = native();
    const n = this.#n;
    try {
      this.#fd = n.socket(n.AF_NETLINK, n.SOCK_RAW, protocol ?? n.NETLINK_ROUTE);
    } catch (e) {
      throw wrap(e, 'netlink socket');
    }
    try {
      n.setsockoptInt(this.#fd, n.SOL_SOCKET, n.SO_RCVBUF, 1024 * 1024);
      // The kernel's own words on a failed request ("ipv4: Invalid scope value."); an old
      // kernel without it still answers, just without the text.
      try {
        n.setsockoptInt(this.#fd, SOL_NETLINK, NETLINK_EXT_ACK, 1);
      } catch {
        // not supported: errors carry the errno only
      }
      n.bindNetlink(this.#fd, groups);
    } catch (e) {
      n.close(this.#fd);
      throw wrap(e, 'netlink bind');
    }
  }

  send(buf: Buffer): void {
    try {
      this.#n.sendNetlink(this.#fd, buf);
    } catch (e) {
      throw wrap(e, 'netlink send');
    }
  }

  onMessages(cb: (msgs: NlMessage[]) => void, onError: (e: Error) => void): void {
    this.#poll = this.#n.pollStart(this.#fd, () => {
      for (;;) {
        if (this.#closed) return;
        let r;
        try {
          r = this.#n.recvMsg(this.#fd, this.#buf);
        } catch (e) {
          // ENOBUFS: the kernel dropped notifications; the caller resynchronises.
          onError(wrap(e, 'netlink receive'));
          return;
        }
        if (r === null) return;
        cb(parseMessages(Buffer.from(this.#buf.subarray(0, Math.min(r.bytes, this.#buf.length)))));
      }
    });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#poll !== undefined) this.#n.pollStop(this.#poll);
    this.#n.close(this.#fd);
  }
}

interface Pending {
  readonly what: string;
  readonly collected: NlMessage[];
  readonly resolve: (msgs: NlMessage[]) => void;
  readonly reject: (e: Error) => void;
  readonly tolerate: readonly string[];
}

/** linux/netlink.h NETLINK_GENERIC. */
export const NETLINK_GENERIC = 16;

/**
 * Requests to the kernel over one netlink socket, matched to their replies by sequence
 * number: rtnetlink (RtNetlink) and generic netlink (sys/genetlink.ts) share it.
 */
export class NlChannel {
  readonly #sock: NlSocket;
  readonly #pending = new Map<number, Pending>();
  readonly #perm: string;
  #seq = Math.floor(Math.random() * 0x7fffffff);

  /** `perm`: what CAP_NET_ADMIN is needed for, in a permission error. */
  constructor(protocol?: number, perm = RTNL_PERM) {
    this.#perm = perm;
    this.#sock = new NlSocket(0, protocol);
    this.#sock.onMessages((msgs) => this.#onMessages(msgs), (e) => {
      for (const p of this.#pending.values()) p.reject(e);
      this.#pending.clear();
    });
  }

  #onMessages(msgs: NlMessage[]): void {
    for (const m of msgs) {
      const p = this.#pending.get(m.seq);
      if (p === undefined) continue;
      if (m.type === NLMSG.ERROR) {
        this.#pending.delete(m.seq);
        const { errno, code, message } = parseError(m.body, m.flags);
        if (errno === 0 || p.tolerate.includes(code)) p.resolve(p.collected);
        else p.reject(wrap(Object.assign(new Error(message === undefined ? code : `${code} (${message})`), { code, syscall: 'netlink' }), p.what, this.#perm));
      } else if (m.type === NLMSG.DONE) {
        this.#pending.delete(m.seq);
        p.resolve(p.collected);
      } else {
        p.collected.push(m);
      }
    }
  }

  nextSeq(): number {
    this.#seq = (this.#seq + 1) % 0x7fffffff;
    return this.#seq;
  }

  /** Send a message built for `seq` and wait for its ACK (or DONE for dumps). */
  request(what: string, build: (seq: number) => Buffer, tolerate: readonly string[] = []): Promise<NlMessage[]> {
    const seq = this.nextSeq();
    return new Promise((resolve, reject) => {
      this.#pending.set(seq, { what, collected: [], resolve, reject, tolerate });
      try {
        this.#sock.send(build(seq));
      } catch (e) {
        this.#pending.delete(seq);
        reject(e as Error);
      }
    });
  }

  #dumps: Promise<unknown> = Promise.resolve();

  /** The kernel runs one dump per socket at a time (EBUSY otherwise): queue them. */
  dump(what: string, build: (seq: number) => Buffer): Promise<NlMessage[]> {
    const next = this.#dumps.then(() => this.request(what, build), () => this.request(what, build));
    this.#dumps = next.catch(() => undefined);
    return next;
  }

  close(): void {
    for (const p of this.#pending.values()) p.reject(new SysError('netlink', `${p.what}: netlink socket closed`));
    this.#pending.clear();
    this.#sock.close();
  }
}

/** rtnetlink requests: addresses, routes, rules, and dumps of links and addresses. */
export class RtNetlink {
  readonly #ch = new NlChannel();

  request(what: string, build: (seq: number) => Buffer, tolerate: readonly string[] = []): Promise<NlMessage[]> {
    return this.#ch.request(what, build, tolerate);
  }

  #dump(what: string, build: (seq: number) => Buffer): Promise<NlMessage[]> {
    return this.#ch.dump(what, build);
  }

  async links(): Promise<LinkInfo[]> {
    const msgs = await this.#dump('dump links', (seq) => encodeGetLink(seq));
    return msgs.filter((m) => m.type === RTM.NEWLINK).map((m) => decodeLink(m.body)).filter((l): l is LinkInfo => l !== undefined);
  }

  async addresses(family: 0 | 4 | 6 = 0): Promise<AddressInfo[]> {
    const msgs = await this.#dump('dump addresses', (seq) => encodeGetAddr(seq, family));
    return msgs.filter((m) => m.type === RTM.NEWADDR).map((m) => decodeAddress(m.body)).filter((a): a is AddressInfo => a !== undefined);
  }

  /** `ip addr add`; an address already present counts as added (EEXIST). */
  async addAddress(a: AddressSpec): Promise<void> {
    await this.request(`add address ${a.address}/${a.prefixLength}`,
      (seq) => encodeAddress(RTM.NEWADDR, NLM_F.REQUEST | NLM_F.ACK | NLM_F.CREATE | NLM_F.EXCL, seq, a), ['EEXIST']);
  }

  /** `ip addr del`; an address already gone counts as removed (EADDRNOTAVAIL). */
  async delAddress(a: AddressSpec): Promise<void> {
    await this.request(`delete address ${a.address}/${a.prefixLength}`,
      (seq) => encodeAddress(RTM.DELADDR, NLM_F.REQUEST | NLM_F.ACK, seq, a), ['EADDRNOTAVAIL', 'ENODEV']);
  }

  async addRoute(r: IpRoute, ifindexOf: IfIndexOf): Promise<void> {
    await this.request(`add route ${r.destination}`,
      (seq) => encodeRoute(RTM.NEWROUTE, NLM_F.REQUEST | NLM_F.ACK | NLM_F.CREATE | NLM_F.EXCL, seq, r, ifindexOf), ['EEXIST']);
  }

  async delRoute(r: IpRoute, ifindexOf: IfIndexOf): Promise<void> {
    await this.request(`delete route ${r.destination}`,
      (seq) => encodeRoute(RTM.DELROUTE, NLM_F.REQUEST | NLM_F.ACK, seq, r, ifindexOf), ['ESRCH', 'ENOENT']);
  }

  async addRule(r: IpRule): Promise<void> {
    await this.request(`add rule priority ${r.priority}`,
      (seq) => encodeRule(RTM.NEWRULE, NLM_F.REQUEST | NLM_F.ACK | NLM_F.CREATE | NLM_F.EXCL, seq, r), ['EEXIST']);
  }

  async delRule(r: IpRule): Promise<void> {
    await this.request(`delete rule priority ${r.priority}`,
      (seq) => encodeRule(RTM.DELRULE, NLM_F.REQUEST | NLM_F.ACK, seq, r), ['ENOENT']);
  }

  close(): void {
    this.#ch.close();
  }
}

export type NetlinkEvent =
  | { readonly kind: 'link'; readonly link: LinkInfo; readonly deleted: boolean }
  | { readonly kind: 'address'; readonly address: AddressInfo; readonly deleted: boolean }
  /** Notifications were lost (ENOBUFS): re-read the state. */
  | { readonly kind: 'overrun'; readonly error: Error };

/** Link and address notifications, as `ip monitor link address` shows them. */
export class NetlinkMonitor {
  readonly #sock: NlSocket;

  constructor(cb: (ev: NetlinkEvent) => void) {
    this.#sock = new NlSocket(RTMGRP.LINK | RTMGRP.IPV4_IFADDR | RTMGRP.IPV6_IFADDR);
    this.#sock.onMessages((msgs) => {
      for (const m of msgs) {
        if (m.type === RTM.NEWLINK || m.type === RTM.DELLINK) {
          const link = decodeLink(m.body);
          if (link !== undefined) cb({ kind: 'link', link, deleted: m.type === RTM.DELLINK });
        } else if (m.type === RTM.NEWADDR || m.type === RTM.DELADDR) {
          const address = decodeAddress(m.body);
          if (address !== undefined) cb({ kind: 'address', address, deleted: m.type === RTM.DELADDR });
        }
      }
    }, (error) => cb({ kind: 'overrun', error }));
  }

  close(): void {
    this.#sock.close();
  }
}
