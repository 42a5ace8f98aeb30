/*
 * halb_net: the syscalls Node has no API for (raw IPv4/IPv6 sockets, AF_PACKET,
 * netlink, multicast membership per interface, SO_BINDTODEVICE, recvmsg with
 * ancillary data). Readiness and real-time signals through libuv are in halb_uv.c. No protocol logic lives here: it
 * moves bytes and socket options; parsing and policy stay in TypeScript (src/sys/).
 *
 * Every failing call throws a JS Error with `code` (errno name, e.g. "EPERM") and
 * `syscall`, so the TypeScript side can turn EPERM on a raw socket into a message that
 * names CAP_NET_RAW.
 */
#include <node_api.h>
#include "halb_napi.h"
#include <errno.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <signal.h>
#include <sys/un.h>
#include <stddef.h>

#define CHECK(call) do { if ((call) != napi_ok) { napi_throw_error(env, NULL, "N-API call failed: " #call); return NULL; } } while (0)

/* socket(domain, type, protocol) -> fd; always non-blocking and close-on-exec. */
static napi_value js_socket(napi_env env, napi_callback_info info) {
  napi_value argv[3], ret;
  int32_t domain, type, proto;
  if (halb_get_args(env, info, 3, argv) || halb_get_i32(env, argv[0], &domain) || halb_get_i32(env, argv[1], &type) ||
      halb_get_i32(env, argv[2], &proto)) return NULL;
  int fd = socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
  if (fd < 0) return halb_throw_errno(env, "socket", errno);
  CHECK(napi_create_int32(env, fd, &ret));
  return ret;
}

static napi_value js_close(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int32_t fd;
  if (halb_get_args(env, info, 1, argv) || halb_get_i32(env, argv[0], &fd)) return NULL;
  if (close(fd) < 0) return halb_throw_errno(env, "close", errno);
  return NULL;
}

/* setsockoptInt(fd, level, name, value) */
static napi_value js_setsockopt_int(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  int32_t fd, level, name, value;
  if (halb_get_args(env, info, 4, argv) || halb_get_i32(env, argv[0], &fd) || halb_get_i32(env, argv[1], &level) ||
      halb_get_i32(env, argv[2], &name) || halb_get_i32(env, argv[3], &value)) return NULL;
  if (setsockopt(fd, level, name, &value, sizeof value) < 0) return halb_throw_errno(env, "setsockopt", errno);
  return NULL;
}

/* getsockoptInt(fd, level, name) -> value */
static napi_value js_getsockopt_int(napi_env env, napi_callback_info info) {
  napi_value argv[3], ret;
  int32_t fd, level, name;
  int value = 0;
  socklen_t len = sizeof value;
  if (halb_get_args(env, info, 3, argv) || halb_get_i32(env, argv[0], &fd) || halb_get_i32(env, argv[1], &level) ||
      halb_get_i32(env, argv[2], &name)) return NULL;
  if (getsockopt(fd, level, name, &value, &len) < 0) return halb_throw_errno(env, "getsockopt", errno);
  CHECK(napi_create_int32(env, value, &ret));
  return ret;
}

/* bindToDevice(fd, ifname) — SO_BINDTODEVICE, as keepalived's if_setsockopt_bindtodevice */
static napi_value js_bind_to_device(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int32_t fd;
  char ifname[IFNAMSIZ];
  if (halb_get_args(env, info, 2, argv) || halb_get_i32(env, argv[0], &fd) || halb_get_str(env, argv[1], ifname, sizeof ifname)) return NULL;
  if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)strlen(ifname) + 1) < 0)
    return halb_throw_errno(env, "setsockopt(SO_BINDTODEVICE)", errno);
  return NULL;
}

static napi_value js_if_nametoindex(napi_env env, napi_callback_info info) {
  napi_value argv[1], ret;
  char ifname[IFNAMSIZ];
  if (halb_get_args(env, info, 1, argv) || halb_get_str(env, argv[0], ifname, sizeof ifname)) return NULL;
  unsigned idx = if_nametoindex(ifname);
  if (idx == 0) return halb_throw_errno(env, "if_nametoindex", errno);
  CHECK(napi_create_uint32(env, idx, &ret));
  return ret;
}

/* Parse an address string into a sockaddr of its family. */
static int fill_sockaddr(const char *addr, uint32_t scope, struct sockaddr_storage *ss, socklen_t *len) {
  memset(ss, 0, sizeof *ss);
  struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
  struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
  if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
    s4->sin_family = AF_INET;
    *len = sizeof *s4;
    return 0;
  }
  if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
    s6->sin6_family = AF_INET6;
    s6->sin6_scope_id = scope;
    *len = sizeof *s6;
    return 0;
  }
  return -1;
}

/* bindAddr(fd, addr, ifindexForScope) — bind a raw socket to a local address (unicast source). */
static napi_value js_bind_addr(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  int32_t fd, scope;
  char addr[64];
  struct sockaddr_storage ss;
  socklen_t len;
  if (halb_get_args(env, info, 3, argv) || halb_get_i32(env, argv[0], &fd) || halb_get_str(env, argv[1], addr, sizeof addr) ||
      halb_get_i32(env, argv[2], &scope)) return NULL;
  if (fill_sockaddr(addr, (uint32_t)scope, &ss, &len) < 0) return halb_throw_errno(env, "inet_pton", EINVAL);
  if (bind(fd, (struct sockaddr *)&ss, len) < 0) return halb_throw_errno(env, "bind", errno);
  return NULL;
}

/* membership(fd, group, ifindex, join) — IP_ADD/DROP_MEMBERSHIP (ip_mreqn) or IPV6_ADD/DROP_MEMBERSHIP. */
static napi_value js_membership(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  int32_t fd, ifindex;
  bool join;
  char group[64];
  if (halb_get_args(env, info, 4, argv) || halb_get_i32(env, argv[0], &fd) || halb_get_str(env, argv[1], group, sizeof group) ||
      halb_get_i32(env, argv[2], &ifindex)) return NULL;
  if (napi_get_value_bool(env, argv[3], &join) != napi_ok) { napi_throw_type_error(env, NULL, "expected a boolean"); return NULL; }
  struct ip_mreqn m4;
  struct ipv6_mreq m6;
  memset(&m4, 0, sizeof m4);
  memset(&m6, 0, sizeof m6);
  if (inet_pton(AF_INET, group, &m4.imr_multiaddr) == 1) {
    m4.imr_ifindex = ifindex;
    if (setsockopt(fd, IPPROTO_IP, join ? IP_ADD_MEMBERSHIP : IP_DROP_MEMBERSHIP, &m4, sizeof m4) < 0)
      return halb_throw_errno(env, join ? "setsockopt(IP_ADD_MEMBERSHIP)" : "setsockopt(IP_DROP_MEMBERSHIP)", errno);
    return NULL;
  }
  if (inet_pton(AF_INET6, group, &m6.ipv6mr_multiaddr) == 1) {
    m6.ipv6mr_interface = (unsigned)ifindex;
    if (setsockopt(fd, IPPROTO_IPV6, join ? IPV6_ADD_MEMBERSHIP : IPV6_DROP_MEMBERSHIP, &m6, sizeof m6) < 0)
      return halb_throw_errno(env, join ? "setsockopt(IPV6_ADD_MEMBERSHIP)" : "setsockopt(IPV6_DROP_MEMBERSHIP)", errno);
    return NULL;
  }
  return halb_throw_errno(env, "inet_pton", EINVAL);
}

/* multicastIf4(fd, ifindex) — IP_MULTICAST_IF with ip_mreqn, so adverts leave on the VRRP interface. */
static napi_value js_mcast_if4(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int32_t fd, ifindex;
  if (halb_get_args(env, info, 2, argv) || halb_get_i32(env, argv[0], &fd) || halb_get_i32(env, argv[1], &ifindex)) return NULL;
  struct ip_mreqn m;
  memset(&m, 0, sizeof m);
  m.imr_ifindex = ifindex;
  if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &m, sizeof m) < 0) return halb_throw_errno(env, "setsockopt(IP_MULTICAST_IF)", errno);
  return NULL;
}

/* sendTo(fd, buf, addr, ifindex) -> bytes. addr "" with AF_PACKET: see sendPacket. */
static napi_value js_send_to(napi_env env, napi_callback_info info) {
  napi_value argv[4], ret;
  int32_t fd, ifindex;
  char addr[64];
  void *data;
  size_t len;
  struct sockaddr_storage ss;
  socklen_t slen;
  if (halb_get_args(env, info, 4, argv) || halb_get_i32(env, argv[0], &fd) || halb_get_str(env, argv[2], addr, sizeof addr) ||
      halb_get_i32(env, argv[3], &ifindex)) return NULL;
  if (napi_get_buffer_info(env, argv[1], &data, &len) != napi_ok) { napi_throw_type_error(env, NULL, "expected a Buffer"); return NULL; }
  if (fill_sockaddr(addr, (uint32_t)ifindex, &ss, &slen) < 0) return halb_throw_errno(env, "inet_pton", EINVAL);
  ssize_t n = sendto(fd, data, len, 0, (struct sockaddr *)&ss, slen);
  if (n < 0) return halb_throw_errno(env, "sendto", errno);
  CHECK(napi_create_int64(env, n, &ret));
  return ret;
}

/* sendPacket(fd, frame, ifindex, ethertype, dstMac[6]) — AF_PACKET send of a full L2 frame (GARP, NA). */
static napi_value js_send_packet(napi_env env, napi_callback_info info) {
  napi_value argv[5], ret;
  int32_t fd, ifindex, ethertype;
  void *data, *mac;
  size_t len, maclen;
  if (halb_get_args(env, info, 5, argv) || halb_get_i32(env, argv[0], &fd) || halb_get_i32(env, argv[2], &ifindex) ||
      halb_get_i32(env, argv[3], &ethertype)) return NULL;
  if (napi_get_buffer_info(env, argv[1], &data, &len) != napi_ok || napi_get_buffer_info(env, argv[4], &mac, &maclen) != napi_ok ||
      maclen != 6) { napi_throw_type_error(env, NULL, "expected Buffers (frame, 6-byte MAC)"); return NULL; }
  struct sockaddr_ll sll;
  memset(&sll, 0, sizeof sll);
  sll.sll_family = AF_PACKET;
  sll.sll_ifindex = ifindex;
  sll.sll_protocol = htons((uint16_t)ethertype);
  sll.sll_halen = 6;
  memcpy(sll.sll_addr, mac, 6);
  ssize_t n = sendto(fd, data, len, 0, (struct sockaddr *)&sll, sizeof sll);
  if (n < 0) return halb_throw_errno(env, "sendto(AF_PACKET)", errno);
  CHECK(napi_create_int64(env, n, &ret));
  return ret;
}

/* sendNetlink(fd, buf) — to the kernel (nl_pid 0). */
static napi_value js_send_netlink(napi_env env, napi_callback_info info) {
  napi_value argv[2], ret;
  int32_t fd;
  void *data;
  size_t len;
  if (halb_get_args(env, info, 2, argv) || halb_get_i32(env, argv[0], &fd)) return NULL;
  if (napi_get_buffer_info(env, argv[1], &data, &len) != napi_ok) { napi_throw_type_error(env, NULL, "expected a Buffer"); return NULL; }
  struct sockaddr_nl nl;
  memset(&nl, 0, sizeof nl);
  nl.nl_family = AF_NETLINK;
  ssize_t n = sendto(fd, data, len, 0, (struct sockaddr *)&nl, sizeof nl);
  if (n < 0) return halb_throw_errno(env, "sendto(AF_NETLINK)", errno);
  CHECK(napi_create_int64(env, n, &ret));
  return ret;
}

/* bindNetlink(fd, groups) */
static napi_value js_bind_netlink(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int32_t fd, groups;
  if (halb_get_args(env, info, 2, argv) || halb_get_i32(env, argv[0], &fd) || halb_get_i32(env, argv[1], &groups)) return NULL;
  struct sockaddr_nl nl;
  memset(&nl, 0, sizeof nl);
  nl.nl_family = AF_NETLINK;
  nl.nl_groups = (uint32_t)groups;
  if (bind(fd, (struct sockaddr *)&nl, sizeof nl) < 0) return halb_throw_errno(env, "bind(AF_NETLINK)", errno);
  return NULL;
}

static void set_str(napi_env env, napi_value obj, const char *key, const char *val) {
  napi_value v;
  napi_create_string_utf8(env, val, NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, obj, key, v);
}
static void set_int(napi_env env, napi_value obj, const char *key, int64_t val) {
  napi_value v;
  napi_create_int64(env, val, &v);
  napi_set_named_property(env, obj, key, v);
}

/*
 * recvMsg(fd, buf) -> null when nothing is queued (EAGAIN), else
 * { bytes, src, ifindex, ttl (IPv4 TTL or IPv6 hop limit, -1 when absent), dst, truncated }.
 * Needs IP_PKTINFO/IP_RECVTTL or IPV6_RECVPKTINFO/IPV6_RECVHOPLIMIT enabled on the socket.
 */
static napi_value js_recv_msg(napi_env env, napi_callback_info info) {
  napi_value argv[2], obj;
  int32_t fd;
  void *data;
  size_t len;
  if (halb_get_args(env, info, 2, argv) || halb_get_i32(env, argv[0], &fd)) return NULL;
  if (napi_get_buffer_info(env, argv[1], &data, &len) != napi_ok) { napi_throw_type_error(env, NULL, "expected a Buffer"); return NULL; }
  struct sockaddr_storage src;
  char cbuf[512];
  struct iovec iov = { .iov_base = data, .iov_len = len };
  struct msghdr msg = { .msg_name = &src, .msg_namelen = sizeof src, .msg_iov = &iov, .msg_iovlen = 1,
                        .msg_control = cbuf, .msg_controllen = sizeof cbuf };
  ssize_t n = recvmsg(fd, &msg, 0);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      napi_value nul;
      napi_get_null(env, &nul);
      return nul;
    }
    return halb_throw_errno(env, "recvmsg", errno);
  }
  CHECK(napi_create_object(env, &obj));
  set_int(env, obj, "bytes", n);
  set_int(env, obj, "truncated", (msg.msg_flags & MSG_TRUNC) ? 1 : 0);
  char abuf[INET6_ADDRSTRLEN] = "";
  if (src.ss_family == AF_INET) inet_ntop(AF_INET, &((struct sockaddr_in *)&src)->sin_addr, abuf, sizeof abuf);
  else if (src.ss_family == AF_INET6) inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&src)->sin6_addr, abuf, sizeof abuf);
  set_str(env, obj, "src", abuf);
  int ifindex = 0, ttl = -1;
  char dbuf[INET6_ADDRSTRLEN] = "";
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
      struct in_pktinfo *pi = (struct in_pktinfo *)CMSG_DATA(c);
      ifindex = pi->ipi_ifindex;
      inet_ntop(AF_INET, &pi->ipi_addr, dbuf, sizeof dbuf);
    } else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) {
      ttl = *(int *)CMSG_DATA(c);
    } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
      struct in6_pktinfo *pi = (struct in6_pktinfo *)CMSG_DATA(c);
      ifindex = (int)pi->ipi6_ifindex;
      inet_ntop(AF_INET6, &pi->ipi6_addr, dbuf, sizeof dbuf);
    } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT) {
      ttl = *(int *)CMSG_DATA(c);
    }
  }
  set_int(env, obj, "ifindex", ifindex);
  set_int(env, obj, "ttl", ttl);
  set_str(env, obj, "dst", dbuf);
  return obj;
}

/*
 * sendUnixDgram(path, buf) -> bytes: one datagram to an AF_UNIX socket (sd_notify's
 * NOTIFY_SOCKET); a leading '@' names the abstract namespace. Sent from this process,
 * so the service manager sees the main PID as the sender.
 */
static napi_value js_send_unix_dgram(napi_env env, napi_callback_info info) {
  napi_value argv[2], ret;
  char path[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];
  void *data;
  size_t len, plen;
  if (halb_get_args(env, info, 2, argv) || halb_get_str(env, argv[0], path, sizeof path)) return NULL;
  if (napi_get_buffer_info(env, argv[1], &data, &len) != napi_ok) { napi_throw_type_error(env, NULL, "expected a Buffer"); return NULL; }
  plen = strlen(path);
  struct sockaddr_un sa;
  memset(&sa, 0, sizeof sa);
  sa.sun_family = AF_UNIX;
  if (plen == 0 || plen >= sizeof sa.sun_path) return halb_throw_errno(env, "sendto", EINVAL);
  memcpy(sa.sun_path, path, plen);
  socklen_t salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + plen);
  if (path[0] == '@') sa.sun_path[0] = '\0';
  else salen += 1;
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return halb_throw_errno(env, "socket", errno);
  ssize_t n = sendto(fd, data, len, MSG_NOSIGNAL, (struct sockaddr *)&sa, salen);
  int err = errno;
  close(fd);
  if (n < 0) return halb_throw_errno(env, "sendto", err);
  CHECK(napi_create_int32(env, (int32_t)n, &ret));
  return ret;
}

#include <linux/filter.h>

/* attachFilter(fd, program): SO_ATTACH_FILTER with a classic BPF program given as the
 * bytes of a struct sock_filter[] (built and tested in TypeScript: src/vrrp/bpf-filter.ts). */
static napi_value js_attach_filter(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int32_t fd;
  void *data;
  size_t len;
  if (halb_get_args(env, info, 2, argv) || halb_get_i32(env, argv[0], &fd)) return NULL;
  CHECK(napi_get_buffer_info(env, argv[1], &data, &len));
  if (len == 0 || len % sizeof(struct sock_filter) != 0 || len / sizeof(struct sock_filter) > BPF_MAXINSNS) {
    napi_throw_range_error(env, NULL, "attachFilter: not a whole number of sock_filter instructions");
    return NULL;
  }
  struct sock_fprog prog = { .len = (unsigned short)(len / sizeof(struct sock_filter)), .filter = data };
  if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) < 0) return halb_throw_errno(env, "setsockopt", errno);
  return NULL;
}

napi_status halb_shm_register(napi_env env, napi_value exports); /* halb_shm.c */
napi_status halb_fs_register(napi_env env, napi_value exports); /* halb_fs.c */
napi_status halb_uv_register(napi_env env, napi_value exports); /* halb_uv.c */

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor fns[] = {
    { "socket", NULL, js_socket, NULL, NULL, NULL, napi_default, NULL },
    { "close", NULL, js_close, NULL, NULL, NULL, napi_default, NULL },
    { "setsockoptInt", NULL, js_setsockopt_int, NULL, NULL, NULL, napi_default, NULL },
    { "getsockoptInt", NULL, js_getsockopt_int, NULL, NULL, NULL, napi_default, NULL },
    { "bindToDevice", NULL, js_bind_to_device, NULL, NULL, NULL, napi_default, NULL },
    { "bindAddr", NULL, js_bind_addr, NULL, NULL, NULL, napi_default, NULL },
    { "ifNameToIndex", NULL, js_if_nametoindex, NULL, NULL, NULL, napi_default, NULL },
    { "membership", NULL, js_membership, NULL, NULL, NULL, napi_default, NULL },
    { "multicastIf4", NULL, js_mcast_if4, NULL, NULL, NULL, napi_default, NULL },
    { "sendTo", NULL, js_send_to, NULL, NULL, NULL, napi_default, NULL },
    { "sendPacket", NULL, js_send_packet, NULL, NULL, NULL, napi_default, NULL },
    { "sendNetlink", NULL, js_send_netlink, NULL, NULL, NULL, napi_default, NULL },
    { "bindNetlink", NULL, js_bind_netlink, NULL, NULL, NULL, napi_default, NULL },
    { "recvMsg", NULL, js_recv_msg, NULL, NULL, NULL, napi_default, NULL },
    { "sendUnixDgram", NULL, js_send_unix_dgram, NULL, NULL, NULL, napi_default, NULL },
    { "attachFilter", NULL, js_attach_filter, NULL, NULL, NULL, napi_default, NULL },
  };
  if (napi_define_properties(env, exports, sizeof fns / sizeof fns[0], fns) != napi_ok) return NULL;
  if (halb_shm_register(env, exports) != napi_ok) return NULL;
  if (halb_fs_register(env, exports) != napi_ok) return NULL;
  if (halb_uv_register(env, exports) != napi_ok) return NULL;
  /* The option numbers from this build's headers, so TypeScript never hard-codes them. */
  halb_export_int(env, exports, "AF_INET", AF_INET);
  halb_export_int(env, exports, "AF_INET6", AF_INET6);
  halb_export_int(env, exports, "AF_PACKET", AF_PACKET);
  halb_export_int(env, exports, "AF_NETLINK", AF_NETLINK);
  halb_export_int(env, exports, "SOCK_RAW", SOCK_RAW);
  halb_export_int(env, exports, "SOCK_DGRAM", SOCK_DGRAM);
  halb_export_int(env, exports, "SOL_SOCKET", SOL_SOCKET);
  halb_export_int(env, exports, "SO_RCVBUF", SO_RCVBUF);
  halb_export_int(env, exports, "SO_PRIORITY", SO_PRIORITY);
  halb_export_int(env, exports, "IPPROTO_IP", IPPROTO_IP);
  halb_export_int(env, exports, "IPPROTO_IPV6", IPPROTO_IPV6);
  halb_export_int(env, exports, "IP_HDRINCL", IP_HDRINCL);
  halb_export_int(env, exports, "IP_TTL", IP_TTL);
  halb_export_int(env, exports, "IP_MULTICAST_TTL", IP_MULTICAST_TTL);
  halb_export_int(env, exports, "IP_MULTICAST_LOOP", IP_MULTICAST_LOOP);
  halb_export_int(env, exports, "IP_MULTICAST_ALL", IP_MULTICAST_ALL);
  halb_export_int(env, exports, "IP_PKTINFO", IP_PKTINFO);
  halb_export_int(env, exports, "IP_RECVTTL", IP_RECVTTL);
  halb_export_int(env, exports, "IPV6_UNICAST_HOPS", IPV6_UNICAST_HOPS);
  halb_export_int(env, exports, "IPV6_MULTICAST_HOPS", IPV6_MULTICAST_HOPS);
  halb_export_int(env, exports, "IPV6_MULTICAST_IF", IPV6_MULTICAST_IF);
  halb_export_int(env, exports, "IPV6_MULTICAST_LOOP", IPV6_MULTICAST_LOOP);
  halb_export_int(env, exports, "IPV6_RECVPKTINFO", IPV6_RECVPKTINFO);
  halb_export_int(env, exports, "IPV6_RECVHOPLIMIT", IPV6_RECVHOPLIMIT);
  halb_export_int(env, exports, "IPV6_CHECKSUM", IPV6_CHECKSUM);
  halb_export_int(env, exports, "NETLINK_ROUTE", NETLINK_ROUTE);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
