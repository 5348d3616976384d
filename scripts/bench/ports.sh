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
    for size in $sizes; do ports_cases "$driver" "$size" $dirs; done
  done
}

# The cases of one driver and size. In each repetition each backend starts once and serves every
# case in turn (a fresh generator for each), the reference first. Two repetitions unless
# VFWD_BENCH_PORT_REPS says otherwise (fewer with --quick): these ratios varied by under 5 %
# between repetitions, and a third would take 40 s of ./bench's 10 minutes.
ports_cases() { # driver size case...
  local -A runs=() placed=()
  local side dir _ reps=${VFWD_BENCH_PORT_REPS:-$((REPS < 2 ? REPS : 2))}
  for _ in $(seq "$reps"); do
    for side in reference ours; do
      ports_turn "$side" "$@"
      for dir in "${@:3}"; do runs[$side/$dir]+=" ${PORTS_RUN[$dir]}"; placed[$side/$dir]+=" ${PORTS_PLACED[$dir]}"; done
    done
  done
  for dir in "${@:3}"; do
    record_result "$1-veth" "$dir" "$2" Mpps "${runs[ours/$dir]# }" "${runs[reference/$dir]# }" \
      "${placed[ours/$dir]# }" "${placed[reference/$dir]# }"
  done
}

# One backend's turn: sets PORTS_RUN[case] for every case, "n/a" when it did not start, and
# PORTS_PLACED[case] (the placement probes around it, the backend frozen meanwhile).
declare -A PORTS_RUN PORTS_PLACED
ports_turn() { # reference|ours driver size case...
  local dir
  for dir in "${@:4}"; do PORTS_RUN[$dir]=n/a PORTS_PLACED[$dir]=-; done
  if "ports_start_$1" "$2" "$WORK/ports-$1.log"; then
    placement_probe_frozen "$PORTS_BACKEND"
    for dir in "${@:4}"; do
      ports_measure "$dir" "$3"; PORTS_RUN[$dir]=$RUN
      placement_measured "$PORTS_BACKEND"; PORTS_PLACED[$dir]=$PLACED
    done
  fi
  bench_stop_all
}

ports_start_reference() { # driver log
  local port="net_af_packet0,iface=$PORTS_DEV,qpairs=1"
  [ "$1" = xdp ] && port="net_af_xdp0,iface=$PORTS_DEV,start_queue=0,queue_count=1"
  rm -f "$WORK/ports-ref.sock"
  BENCH_NETNS=$PORTS_NS bench_testpmd ref "$2" 0@0,1@1 \
    --vdev "net_vhost0,iface=$WORK/ports-ref.sock,queues=1" --vdev "$port" -- \
    --nb-cores=1 $TESTPMD_POOL --forward-mode=io --stats-period 1
  SOCK=$WORK/ports-ref.sock PORTS_BACKEND=$TESTPMD_PID
  wait_for_line "$2" "start packet forwarding" 30 && return 0
  echo "ports: reference backend ($1) did not start:" >&2; tail -5 "$2" >&2
  return 1
}

ports_start_ours() { # driver log
  BENCH_NETNS=$PORTS_NS daemon_start "$2" --max-relays=1 "-Pnetdev:$PORTS_DEV=0" --port-driver="$1" || return 1
  SOCK=$DAEMON_DIR/virtio-forwarder0.sock PORTS_BACKEND=$DAEMON_PID
}

# One case on the running backend ($SOCK), its generator (and source) stopped at the end: sets
# RUN to the median Mpps (three decimals: a veth under load can carry less than 10 kpps), 0 when
# no traffic moved.
ports_measure() { # case size
  local gen=$WORK/ports-gen.log source_cpu=$(($(nproc) > 2 ? 2 : 0)) RATE_DECIMALS=3
  if [ "$1" = g2h ]; then
    gen_start gen "$gen" txonly "$2" 1 "$SOCK"
    # Frames the far veth end receives (its own counter, read inside the namespace).
    BENCH_NETNS=$PORTS_NS measure_rate "file:/sys/class/net/$PORTS_FAR/statistics/rx_packets"
    bench_stop "$GEN_PID"
  else
    gen_start gen "$gen" rxonly "$2" 1 "$SOCK"
    wait_for_line "$gen" "start packet forwarding" 30
    BENCH_NETNS=$PORTS_NS bench_testpmd src "$WORK/ports-src.log" "0@1,1@$source_cpu" \
      --vdev "net_af_packet0,iface=$PORTS_FAR,qpairs=1" -- \
      --nb-cores=1 $TESTPMD_POOL --forward-mode=txonly --txpkts="$2" --stats-period 1
    measure_rate "$(gen_counter gen ipackets)"
    bench_stop "$TESTPMD_PID"; bench_stop "$GEN_PID"
  fi
  RUN=$RATE
}
