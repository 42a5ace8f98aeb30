#!/usr/bin/env bash
# System packages the test suite needs (netns tests use keepalived as a real peer,
# nftables for partitions and the kernel dataplane). Idempotent; needs root for apt.
# With --bench it also installs the peers `npm run bench` measures against.
set -euo pipefail
# iputils-ping: PING_CHECK; openssl: the SSL_GET test makes its certificate;
# chromium: the dashboard's browser test (playwright-core drives /usr/bin/chromium);
# python3: the sd_notify test's unix datagram listener; bird2: halb_bgp's BGP daemon and the
# --ecmp lab's router; curl + util-linux (setpriv): the admin API test sends its writes as user nobody;
# conntrackd and conntrack: NAT connections replicated between directors (halb_conntrack_sync).
# The vm tier (scripts/vm/): qemu-system-x86 boots Debian's kernel, which has IPVS;
# busybox-static, cpio, kmod and xz-utils build its initramfs and module tree (the
# kernel package itself is fetched through apt on first use); ipvsadm runs in the guest.
pkgs=(keepalived nftables iproute2 procps iputils-ping openssl chromium python3 bird2 curl util-linux
  conntrackd conntrack qemu-system-x86 busybox-static cpio kmod xz-utils ipvsadm)
if [ "${1:-}" = "--bench" ]; then
  pkgs+=(wrk haproxy nginx-light libnginx-mod-stream curl)
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all system packages present"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "install-deps: missing ${missing[*]} and not root; install them with apt-get (netns tests will be skipped outside CI)" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
# Debian starts keepalived as a service on install; tests run their own instances.
systemctl stop keepalived 2>/dev/null || true
# And BIRD: halb and the lab run their own, each with its own control socket.
systemctl stop bird 2>/dev/null || true
pkill -x keepalived 2>/dev/null || true
# conntrackd too: halb runs its own, one per director, with its own config.
systemctl disable --now conntrackd 2>/dev/null || true
# The same for the bench peers: benches start their own nginx and HAProxy in namespaces.
if [ "${1:-}" = "--bench" ]; then
  systemctl stop nginx haproxy 2>/dev/null || true
  pkill -x nginx 2>/dev/null || true
  pkill -x haproxy 2>/dev/null || true
fi
