# Shared by ./test, ./demo and ./bench: installs Debian packages the real peers need and
# reserves hugepages. Sourced, not run.

# dpdk (with its recommends: the PMD packages), dpdk-dev (holds dpdk-testpmd), QEMU and a guest
# kernel with a busybox initramfs, the tools the test guest and namespaces need, and libzmq.
VFWD_PACKAGES="dpdk dpdk-dev qemu-system-x86 linux-image-amd64 busybox-static kmod cpio ethtool
  iproute2 file xz-utils procps libzmq5 python3-zmq"

install_packages() {
  local missing=()
  for p in $VFWD_PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q "${missing[@]}" >/dev/null
}

# 512 x 2 MiB pages on /dev/hugepages, for hugepage-backed guests and DPDK.
reserve_hugepages() {
  mountpoint -q /dev/hugepages || { mkdir -p /dev/hugepages; mount -t hugetlbfs nodev /dev/hugepages; }
  [ "$(cat /proc/sys/vm/nr_hugepages)" -ge 512 ] || echo 512 > /proc/sys/vm/nr_hugepages
}
