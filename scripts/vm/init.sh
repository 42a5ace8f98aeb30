#!/bin/sh
# /init of halb's test-VM initramfs (busybox). It loads the virtio/9p/overlay modules,
# builds the guest root as a tmpfs overlay over the host's root (shared read-only over
# 9p as "hostroot"), mounts the guest kernel's modules ("kmods") and the runner's job
# directory ("job", writable), then switch_roots into /halb-vm/job.sh. switch_root and
# not chroot: the kernel's request_module() must find the host's /sbin/modprobe, or
# schedulers such as mh are "not found" (wave2-research.md 1.4).
export PATH=/bin
die() {
  echo "halb-vm init: $*"
  echo b > /proc/sysrq-trigger
  sleep 10
}
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in $(cat /modules.order); do
  insmod "/mod/$m" || die "insmod $m failed"
done
o9p=trans=virtio,version=9p2000.L,msize=524288
mkdir -p /host /rw /newroot
mount -t 9p -o "ro,$o9p,cache=loose" hostroot /host || die "cannot mount the host root"
mount -t tmpfs -o mode=0755 rw /rw
mkdir -p /rw/u /rw/w
mount -t overlay overlay -o lowerdir=/host,upperdir=/rw/u,workdir=/rw/w /newroot || die "overlay failed"
kver=$(uname -r)
mkdir -p "/newroot/usr/lib/modules/$kver" /newroot/halb-vm
mount -t 9p -o "ro,$o9p,cache=loose" kmods "/newroot/usr/lib/modules/$kver" || die "cannot mount kmods"
# The job share is the runner's host temp dir: no cache, so status and TAP files are
# on the host the moment they are written.
mount -t 9p -o "$o9p" job /newroot/halb-vm || die "cannot mount the job share"
mount --move /proc /newroot/proc
mount --move /sys /newroot/sys
mount --move /dev /newroot/dev
mkdir -p /newroot/dev/pts /newroot/dev/shm
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /newroot/dev/pts
mount -t tmpfs -o mode=1777 shm /newroot/dev/shm
# A checkout under /tmp (a CI clone) stays visible under the guest's fresh /tmp: keep its
# overlay view aside, mount the tmpfs, and move it back in place.
repo=$(cat /newroot/halb-vm/repo 2>/dev/null)
case "$repo" in
  /tmp/*) mkdir -p /keep && mount --bind "/newroot$repo" /keep || die "cannot keep $repo" ;;
esac
mount -t tmpfs -o mode=1777 tmp /newroot/tmp
case "$repo" in
  /tmp/*) mkdir -p "/newroot$repo" && mount --move /keep "/newroot$repo" || die "cannot put back $repo" ;;
esac
mount -t tmpfs -o mode=0755 run /newroot/run
mkdir -p /newroot/run/netns /newroot/run/lock /newroot/run/keepalived
[ -f /newroot/halb-vm/job.sh ] || die "no job.sh in the job share"
exec switch_root /newroot /bin/sh /halb-vm/job.sh
