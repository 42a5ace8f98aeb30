#!/usr/bin/env bash
# Prepares (once) and prints the kernel and initramfs the VM test tier boots:
# Debian's own kernel package, found BY NAME through apt (the version that
# linux-image-amd64 depends on), extracted, depmod'ed, its PVH vmlinux unpacked from
# the bzImage (direct boot skips ~6 s of emulated XZ), and a busybox initramfs built
# from scripts/vm/init.sh. Cached in $HALB_VM_CACHE (default /var/cache/halb-vm, or
# ~/.cache/halb-vm without root) under <kver>/, the initramfs keyed on the hash of
# init.sh and this script. Output: KVER= VMLINUX= INITRD= MODULES= lines.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ -n "${HALB_VM_CACHE:-}" ]; then cache=$HALB_VM_CACHE
elif [ "$(id -u)" = 0 ]; then cache=/var/cache/halb-vm
else cache=${XDG_CACHE_HOME:-$HOME/.cache}/halb-vm
fi
log() { echo "vm-prepare: $*" >&2; }
for p in apt-get apt-cache dpkg-deb depmod modprobe xz busybox cpio gzip; do
  command -v "$p" >/dev/null || { log "'$p' is missing (scripts/install-deps.sh installs it)"; exit 2; }
done
# busybox-static: the initramfs has no libc.
dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q "install ok installed" ||
  { log "busybox-static is not installed"; exit 2; }

resolve() { apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/{print $2; exit}'; }
pkg=$(resolve)
if [ -z "$pkg" ] && [ "$(id -u)" = 0 ]; then
  log "apt knows no linux-image-amd64; running apt-get update"
  apt-get update -qq >&2
  pkg=$(resolve)
fi
[ -n "$pkg" ] || { log "cannot resolve the kernel package from linux-image-amd64 (apt lists missing?)"; exit 2; }
kver=${pkg#linux-image-}
dir=$cache/$kver
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9

if [ ! -f "$dir/ready" ]; then
  start=$(date +%s)
  rm -rf "$dir"
  tmp=$(mktemp -d "$cache/.tmp.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  # apt drops to _apt for downloads; let it write here (else it warns and runs as root).
  if [ "$(id -u)" = 0 ] && id _apt >/dev/null 2>&1; then chown _apt "$tmp"; fi
  log "downloading $pkg"
  (cd "$tmp" && apt-get download -q "$pkg" >&2)
  mkdir "$tmp/x"
  dpkg-deb -x "$tmp"/"$pkg"_*.deb "$tmp/x"
  rm -f "$tmp"/*.deb
  depmod -b "$tmp/x" "$kver"
  # PVH direct boot needs the ELF vmlinux: find the XZ stream inside the bzImage.
  off=$(LC_ALL=C grep -abo $'\xfd7zXZ' "$tmp/x/boot/vmlinuz-$kver" | head -1 | cut -d: -f1)
  [ -n "$off" ] || { log "no XZ stream in vmlinuz-$kver"; exit 2; }
  tail -c +$((off + 1)) "$tmp/x/boot/vmlinuz-$kver" | xz -dc > "$tmp/vmlinux" 2>/dev/null || true
  head -c 4 "$tmp/vmlinux" | grep -q ELF || { log "extracted vmlinux is not an ELF"; exit 2; }
  mkdir -p "$dir/lib/modules"
  mv "$tmp/x/lib/modules/$kver" "$dir/lib/modules/$kver"
  mv "$tmp/vmlinux" "$dir/vmlinux"
  cp "$tmp/x/boot/config-$kver" "$dir/config"
  touch "$dir/ready"
  log "kernel $kver ready in $(( $(date +%s) - start )) s"
fi

hash=$(cat "$here/init.sh" "$here/prepare.sh" | sha256sum | cut -c1-12)
initrd=$dir/initrd-$hash.gz
if [ ! -f "$initrd" ]; then
  tmp=$(mktemp -d "$cache/.tmp.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  root=$tmp/root
  mkdir -p "$root"/{bin,mod,proc,sys,dev}
  cp /bin/busybox "$root/bin/"
  for a in sh mount insmod mkdir cat switch_root sleep uname; do ln -s busybox "$root/bin/$a"; done
  # The modules the init needs, in dependency order, as modprobe would load them.
  : > "$root/modules.order"
  modprobe -d "$dir" -S "$kver" --show-depends -a virtio_pci 9pnet_virtio 9p overlay |
    awk '$1 == "insmod" {print $2}' | while read -r ko; do
      name=$(basename "$ko")
      grep -qx "${name%.xz}" "$root/modules.order" 2>/dev/null && continue
      case $name in
        *.ko.xz) xz -dc "$ko" > "$root/mod/${name%.xz}"; name=${name%.xz} ;;
        *) cp "$ko" "$root/mod/$name" ;;
      esac
      echo "$name" >> "$root/modules.order"
    done
  cp "$here/init.sh" "$root/init"
  chmod +x "$root/init"
  (cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$tmp/initrd.gz"
  rm -f "$dir"/initrd-*.gz
  mv "$tmp/initrd.gz" "$initrd"
  log "initramfs $(basename "$initrd") built ($(wc -l < "$root/modules.order") modules)"
fi
echo "KVER=$kver"
echo "VMLINUX=$dir/vmlinux"
echo "INITRD=$initrd"
echo "MODULES=$dir/lib/modules/$kver"
