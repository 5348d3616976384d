#!/bin/sh
# /init of the test guest. Every setting comes from the kernel command line, so one cached image
# serves every test (GuestConfig.cs writes these parameters):
#   vfwd.ip=CIDR     address of eth0                      (default 198.18.0.2/24)
#   vfwd.peer=ADDR   address to ping                      (default 198.18.0.1)
#   vfwd.count=N     pings per round                      (default 3)
#   vfwd.queues=N    "ethtool -L eth0 combined N" first:  Linux enables only min(vCPUs, queues)
#                    pairs by itself, and frames steered to a disabled pair are lost
#   vfwd.wait=S      stay up S seconds after the first round (the host side pings the guest)
#   vfwd.ping2=1     ping again after the wait (backend restart tests)
#   vfwd.tcp=PORT    after the first round, send vfwd.tcpkb KiB of random bytes to PEER:PORT over
#                    TCP (GUEST-TCP-UP md5=… bytes=…), then read PEER:PORT+1 to its end
#                    (GUEST-TCP-DOWN md5=… bytes=…)
# The host matches the GUEST-* lines on the serial console; the guest powers off at the end,
# which makes QEMU exit with status 0 (-no-reboot).
/bin/busybox --install -s /bin
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys

ip_cidr=198.18.0.2/24; peer=198.18.0.1; count=3; queues=; wait_s=0; ping2=0; tcp_port=; tcp_kb=1024
for arg in $(cat /proc/cmdline); do
  case "$arg" in
    vfwd.ip=*) ip_cidr=${arg#*=} ;;
    vfwd.peer=*) peer=${arg#*=} ;;
    vfwd.count=*) count=${arg#*=} ;;
    vfwd.queues=*) queues=${arg#*=} ;;
    vfwd.wait=*) wait_s=${arg#*=} ;;
    vfwd.ping2=*) ping2=${arg#*=} ;;
    vfwd.tcp=*) tcp_port=${arg#*=} ;;
    vfwd.tcpkb=*) tcp_kb=${arg#*=} ;;
  esac
done
since_boot() { cut -d' ' -f1 /proc/uptime; }
stats() { echo "rx_packets=$(cat /sys/class/net/eth0/statistics/rx_packets) tx_packets=$(cat /sys/class/net/eth0/statistics/tx_packets)"; }
# ping_round LABEL: prints GUEST-LABEL-OK or GUEST-LABEL-FAIL, with ping's own lines before it.
ping_round() {
  if ping -c "$count" -i 0.2 -W 3 "$peer" > /tmp/ping.out 2>&1; then result=OK; else result=FAIL; fi
  sed "s/^/GUEST-$1: /" /tmp/ping.out
  echo "GUEST-STATS: $(stats)"
  echo "GUEST-$1-$result uptime=$(since_boot)"
}

echo "GUEST-INIT uptime=$(since_boot) cpus=$(nproc)"
for module in $(cat /lib/modules/order); do insmod "/lib/modules/$module.ko" || echo "GUEST-INSMOD-FAIL $module"; done
tries=0
while [ ! -e /sys/class/net/eth0 ] && [ $tries -lt 50 ]; do sleep 0.1; tries=$((tries + 1)); done
ip link set lo up
[ -n "$queues" ] && { ethtool -L eth0 combined "$queues" || echo "GUEST-ETHTOOL-FAIL"; }
echo "GUEST-QUEUES: $(ls /sys/class/net/eth0/queues | tr '\n' ' ')"
echo "GUEST-DRIVER: features=$(cat /sys/class/net/eth0/device/features)"
ip link set eth0 up
ip addr add "$ip_cidr" dev eth0
echo "GUEST-MAC: $(cat /sys/class/net/eth0/address) ip=$ip_cidr peer=$peer"
ping_round PING
# busybox nc ends its sending half at the end of stdin and exits when the peer closes.
if [ -n "$tcp_port" ]; then
  [ -e /dev/urandom ] || mount -t devtmpfs devtmpfs /dev
  dd if=/dev/urandom of=/tmp/up bs=1024 count="$tcp_kb" 2>/dev/null
  nc "$peer" "$tcp_port" < /tmp/up > /dev/null
  echo "GUEST-TCP-UP md5=$(md5sum < /tmp/up | cut -d' ' -f1) bytes=$(wc -c < /tmp/up)"
  nc "$peer" $((tcp_port + 1)) < /dev/null > /tmp/down
  echo "GUEST-TCP-DOWN md5=$(md5sum < /tmp/down | cut -d' ' -f1) bytes=$(wc -c < /tmp/down)"
  echo "GUEST-STATS: $(stats)"
fi
if [ "$wait_s" != 0 ]; then
  echo "GUEST-WAITING ${wait_s}s"
  sleep "$wait_s"
  echo "GUEST-STATS-AFTER-WAIT: $(stats)"
fi
[ "$ping2" = 1 ] && ping_round PING2
poweroff -f
