# The AF_XDP and AF_PACKET host-port paths over a veth pair, against the same paths in DPDK
# testpmd (module interface: scripts/bench/lib.sh). The veth stands in for the NIC, so only the
# ratios mean anything. What each case measures: docs/bench/ports.md.
#   reference: testpmd net_vhost + net_af_xdp (iface=<port end>) or net_af_packet, io forwarding,
#              one forwarding lcore on CPU 1
#   ours:      the daemon, worker CPU 1, -Pnetdev:<port end>=0 --port-driver=xdp or packet
# Both backends run inside the module's namespace, which holds the veth pair; the generator
# (testpmd net_virtio_user, CPU 0) reaches their socket from the root namespace.
#   g2h: txonly generator; the value is the rate of frames reaching the far veth end.
#   h2g: testpmd net_af_packet txonly on the far end sources, the rxonly generator counts. The
#        source's forwarding lcore takes CPU 2 if there is one; on two CPUs it shares CPU 0 with
#        the generator, so frames arrive while the guest is descheduled, and the backend's
#        buffering, not its speed, bounds what the guest gets.

PORTS_DEV=vport PORTS_FAR=vfar
# 1518-byte frames (the null module's large size) carry 1504 bytes after the Ethernet header:
# an MTU of 1500 would make the kernel refuse them on AF_PACKET transmit.
PORTS_MTU=1504

bench_cases_ports() {
  # 64 B only by default: 1518 B as well would double the module's share of ./bench's 10 minutes.
  local sizes=${VFWD_BENCH_PORT_SIZES:-64} drivers="xdp packet" dirs="g2h h2g" driver size dir
  # --quick (./test's smoke run): one case, AF_XDP guest to host at 64 B.
  [ "$QUICK" = 1 ] && { sizes=64; drivers=xdp; dirs=g2h; }
  PORTS_NS=$PREFIX-ports
  bench_netns_add "$PORTS_NS" || { echo "ports: cannot create namespace $PORTS_NS" >&2; return 1; }
  ip -n "$PORTS_NS" link add "$PORTS_DEV" mtu "$PORTS_MTU" type veth peer name "$PORTS_FAR" mtu "$PORTS_MTU" &&
    ip -n "$PORTS_NS" link set "$PORTS_DEV" up && ip -n "$PORTS_NS" link set "$PORTS_FAR" up ||
    { echo "ports: cannot create the veth pair" >&2; return 1; }
  for driver in $drivers; do
    for size in $sizes; do
      for dir in $dirs; do ports_case "$driver" "$dir" "$size"; done
    done
  done
}

ports_case() { # driver case size
  local ours=() refs=() _
  for _ in $(seq "$REPS"); do
    ports_measure reference "$@"; refs+=("$RUN")
    ports_measure ours "$@"; ours+=("$RUN")
  done
  record_result "$1-veth" "$2" "$3" Mpps "${ours[*]}" "${refs[*]}"
}

ports_start_reference() { # driver log
  local port="net_af_packet0,iface=$PORTS_DEV,qpairs=1"
  [ "$1" = xdp ] && port="net_af_xdp0,iface=$PORTS_DEV,start_queue=0,queue_count=1"
  rm -f "$WORK/ports-ref.sock"
  BENCH_NETNS=$PORTS_NS bench_testpmd ref "$2" 0@0,1@1 \
    --vdev "net_vhost0,iface=$WORK/ports-ref.sock,queues=1" --vdev "$port" -- \
    --nb-cores=1 --total-num-mbufs=32768 --forward-mode=io --stats-period 1
  SOCK=$WORK/ports-ref.sock
  wait_for_line "$2" "start packet forwarding" 30 && return 0
  echo "ports: reference backend ($1) did not start:" >&2; tail -5 "$2" >&2
  return 1
}

ports_start_ours() { # driver log
  BENCH_NETNS=$PORTS_NS daemon_start "$2" --max-relays=1 "-Pnetdev:$PORTS_DEV=0" --port-driver="$1" || return 1
  SOCK=$DAEMON_DIR/virtio-forwarder0.sock
}

# Frames the far veth end has received (its own counter, read inside the namespace).
ports_far_rx() {
  ip netns exec "$PORTS_NS" cat "/sys/class/net/$PORTS_FAR/statistics/rx_packets"
}

# Median, in Mpps (three decimals: a veth under load can carry less than 10 kpps), of $SAMPLES
# one-second rates of frames reaching the far veth end.
ports_far_mpps() {
  local before now t0 t rates=() _
  before=$(ports_far_rx); t0=$(date +%s.%N)
  for _ in $(seq "$SAMPLES"); do
    sleep 1
    now=$(ports_far_rx); t=$(date +%s.%N)
    rates+=("$(awk -v n="$((now - before))" -v a="$t0" -v b="$t" 'BEGIN{printf "%.3f", n / (b - a) / 1e6}')")
    before=$now; t0=$t
  done
  median "${rates[*]}"
}

# One measurement: sets RUN to the median Mpps, "n/a" when the backend did not start, 0 when no
# traffic moved.
ports_measure() { # reference|ours driver case size
  local log=$WORK/ports-$1.log gen=$WORK/ports-gen.log source_cpu=$(($(nproc) > 2 ? 2 : 0))
  RUN=n/a
  if "ports_start_$1" "$2" "$log"; then
    if [ "$3" = g2h ]; then
      gen_start gen "$gen" txonly "$4" 1 "$SOCK"
      # The generator's first non-zero second is the ramp-up; the far end's samples follow it.
      if SAMPLES=0 wait_for_samples "$gen:Tx"; then RUN=$(ports_far_mpps); else RUN=0; fi
    else
      gen_start gen "$gen" rxonly "$4" 1 "$SOCK"
      wait_for_line "$gen" "start packet forwarding" 30
      BENCH_NETNS=$PORTS_NS bench_testpmd src "$WORK/ports-src.log" "0@1,1@$source_cpu" \
        --vdev "net_af_packet0,iface=$PORTS_FAR,qpairs=1" -- \
        --nb-cores=1 --total-num-mbufs=32768 --forward-mode=txonly --txpkts="$4" --stats-period 1
      wait_for_samples "$gen:Rx"
      bench_stop_all
      RUN=$(median_pps "$gen" Rx)
    fi
  fi
  bench_stop_all
}
