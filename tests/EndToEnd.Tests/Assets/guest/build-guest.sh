#!/bin/sh
# Builds the test guest from the installed Debian kernel. Called by GuestImage.cs, which caches
# the result and serializes builds.
#   build-guest.sh KERNEL_VERSION INIT_SCRIPT OUTDIR
# Writes OUTDIR/initramfs.cpio.gz (busybox-static, the virtio-net modules in load order, ethtool
# and its libraries, INIT_SCRIPT as /init) and OUTDIR/vmlinux (the uncompressed kernel ELF).
set -eu
kver=$1; init=$2; out=$3
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/sbin" "$root/proc" "$root/sys" "$root/tmp" "$root/lib/modules"

file -L /bin/busybox | grep -q 'statically linked' || { echo "/bin/busybox is not busybox-static" >&2; exit 1; }
cp /bin/busybox "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cp "$init" "$root/init"
chmod 755 "$root/init"

# Dependencies first. Modules built into this kernel are skipped; Debian ships .ko, .ko.xz or
# .ko.zst depending on the release, and busybox insmod wants them uncompressed.
for module in failover net_failover virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio_net; do
  path=$(modinfo -k "$kver" -F filename "$module" 2>/dev/null || true)
  target="$root/lib/modules/$module.ko"
  case "$path" in
    "" | "(builtin)") continue ;;
    *.ko.xz) xz -dc "$path" > "$target" ;;
    *.ko.zst) zstd -dc "$path" > "$target" ;;
    *.ko) cp "$path" "$target" ;;
    *) echo "unexpected module file $path" >&2; exit 1 ;;
  esac
  echo "$module" >> "$root/lib/modules/order"
done

# ethtool is dynamically linked: bring its loader and libraries along at the same paths.
cp /usr/sbin/ethtool "$root/sbin/ethtool"
for lib in $(ldd /usr/sbin/ethtool | grep -o '/[^ ]*'); do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done

(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$out/initramfs.cpio.gz"

# QEMU boots an uncompressed ELF by PVH, which skips the real-mode setup and the in-guest xz
# decompression (4-6 s under TCG). Debian's bzImage carries the ELF as an xz stream: try every
# xz magic in the file until one decompresses to something that starts with the ELF magic.
bzimage=/boot/vmlinuz-$kver
for offset in $(LC_ALL=C grep -abo "$(printf '\3757zXZ')" "$bzimage" | cut -d: -f1); do
  tail -c +"$((offset + 1))" "$bzimage" | xz -dc > "$out/vmlinux" 2>/dev/null || true
  [ "$(head -c 4 "$out/vmlinux" | od -An -tx1 | tr -d ' \n')" = 7f454c46 ] && exit 0
done
echo "no xz-compressed ELF found in $bzimage" >&2
exit 1
