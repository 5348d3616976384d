# Shared by ./test, ./demo and ./bench: installs Debian packages the real peers need and
# reserves hugepages. Sourced, not run.

# dpdk (with its recommends: the PMD packages), dpdk-dev (holds dpdk-testpmd), QEMU and a guest
# kernel with a busybox initramfs, the tools the test guest and namespaces need, libzmq, Open
# vSwitch for the OVSDB tests (openvswitch-common: ovsdb-server, ovsdb-tool, ovsdb-client;
# openvswitch-switch: vswitch.ovsschema, ovs-vsctl), python3-protobuf with Debian's protoc for
# upstream's Python control clients (a module from a newer protoc is refused by that runtime), and
# systemd (its systemd-analyze checks the packaged units), and testpmd's AF_XDP and AF_PACKET PMDs,
# named for the bench's port cases (./bench ports) rather than left to dpdk-dev's dependencies.
VFWD_PACKAGES="dpdk dpdk-dev qemu-system-x86 linux-image-amd64 busybox-static kmod cpio ethtool
  iproute2 file xz-utils procps libzmq5 python3-zmq openvswitch-common openvswitch-switch
  python3-protobuf protobuf-compiler systemd librte-net-af-xdp23 librte-net-af-packet23"

# What ./bench needs of them (no QEMU, guest kernel, Open vSwitch or protoc): testpmd (dpdk-dev)
# with the PMDs its cases load (virtio_user, vhost, null, tap, af_xdp, af_packet, the ring
# mempool), busybox's ping (latency), iproute2, procps and libzmq (the daemon's ZMQ services).
# A fifth of the download of the whole list (30 MB of 260 on a fresh machine), which keeps
# `sudo ./bench` there within its 10 minutes.
VFWD_BENCH_PACKAGES="dpdk-dev librte-net-virtio23 librte-net-vhost23 librte-net-null23 librte-net-tap23
  librte-net-af-xdp23 librte-net-af-packet23 librte-mempool-ring23 busybox-static iproute2 procps libzmq5"

# Installs the packages of the list given (default VFWD_PACKAGES) that are missing.
install_packages() { # [package list]
  local missing=()
  for p in ${1:-$VFWD_PACKAGES}; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  # Packages with services (openvswitch-switch) would start them on install; the tests start
  # their own ovsdb-server, so a policy-rc.d that denies every start is in place meanwhile.
  local own_policy=
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && own_policy=1
  fi
  local rc=0
  apt-get install -y -q "${missing[@]}" >/dev/null || rc=$?
  [ -n "$own_policy" ] && rm -f /usr/sbin/policy-rc.d
  return $rc
}

# 512 x 2 MiB pages on /dev/hugepages, for hugepage-backed guests and DPDK.
reserve_hugepages() {
  mountpoint -q /dev/hugepages || { mkdir -p /dev/hugepages; mount -t hugetlbfs nodev /dev/hugepages; }
  [ "$(cat /proc/sys/vm/nr_hugepages)" -ge 512 ] || echo 512 > /proc/sys/vm/nr_hugepages
}
