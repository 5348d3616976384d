# Round-trip time of ICMP echo through the relay, against DPDK testpmd's vhost backend (module
# interface: scripts/bench/lib.sh). What the case measures: docs/bench/ports.md.
#   namespace A: tap vguest 198.18.0.2 <-> testpmd "guest" (net_tap + net_virtio_user, io, CPU 0)
#     <-> vhost-user <-> backend (CPU 1) <-> tap vhost 198.18.0.1 :namespace B
#   reference: testpmd net_vhost + net_tap, io forwarding
#   ours:      the daemon, worker CPU 1, -Ptap:vhost=0, with its default --poll=adaptive (sleeps
#              when idle: group latency-tap) and with --poll=busy, polling as testpmd does
#              (group latency-tap-busy; the reference runs are the same for both groups)
# Each backend runs inside B, so the tap it creates is B's; the guest testpmd runs inside A.
# busybox ping from A to B, one request every 2 ms; the replies' RTTs give p50 and p99 in us.

LAT_GUEST_IP=198.18.0.2 LAT_HOST_IP=198.18.0.1
# Replies not counted: the first carry ARP resolution, and a second of traffic lets the daemon's
# tiered JIT compile its forwarding path.
LAT_WARMUP=500

bench_cases_latency() {
  local count=${VFWD_BENCH_PINGS:-1000} p50o=() p99o=() p50b=() p99b=() p50r=() p99r=() po=() pb=() pr=() _
  # Nothing in --quick: ./test checks throughput rows only, and its minute is taken.
  [ "$QUICK" = 1 ] && return 0
  LAT_A=$PREFIX-lat-a LAT_B=$PREFIX-lat-b
  bench_netns_add "$LAT_A" && bench_netns_add "$LAT_B" || { echo "latency: cannot create namespaces" >&2; return 1; }
  placement_probe
  for _ in $(seq "$REPS"); do
    latency_measure reference "$count"; p50r+=("$P50"); p99r+=("$P99"); pr+=("$PLACED")
    latency_measure ours "$count" adaptive; p50o+=("$P50"); p99o+=("$P99"); po+=("$PLACED")
    latency_measure ours "$count" busy; p50b+=("$P50"); p99b+=("$P99"); pb+=("$PLACED")
  done
  # Size: the echo request's Ethernet frame (busybox's default 56 data bytes).
  record_result latency-tap rtt-p50 98 us "${p50o[*]}" "${p50r[*]}" "${po[*]}" "${pr[*]}"
  record_result latency-tap rtt-p99 98 us "${p99o[*]}" "${p99r[*]}" "${po[*]}" "${pr[*]}"
  record_result latency-tap-busy rtt-p50 98 us "${p50b[*]}" "${p50r[*]}" "${pb[*]}" "${pr[*]}"
  record_result latency-tap-busy rtt-p99 98 us "${p99b[*]}" "${p99r[*]}" "${pb[*]}" "${pr[*]}"
}

# testpmd with net_tap IFNAME in namespace NETNS next to PORT, io forwarding; no traffic of
# its own. (--stats-period keeps a non-interactive testpmd from quitting at stdin's EOF.)
latency_testpmd() { # name log lcores netns ifname port-vdev
  BENCH_NETNS=$4 bench_testpmd "$1" "$2" "$3" --vdev "$6" --vdev "net_tap0,iface=$5" -- \
    --nb-cores=1 $TESTPMD_POOL --forward-mode=io --stats-period 1
  wait_for_line "$2" "start packet forwarding" 30 && return 0
  echo "latency: testpmd $1 did not start:" >&2; tail -5 "$2" >&2
  return 1
}

latency_start_reference() { # log
  rm -f "$WORK/lat-ref.sock"
  SOCK=$WORK/lat-ref.sock
  latency_testpmd ref "$1" 0@0,1@1 "$LAT_B" vhost "net_vhost0,iface=$SOCK,queues=1"
}

latency_start_ours() { # log poll-mode
  BENCH_NETNS=$LAT_B daemon_start "$1" --max-relays=1 -Ptap:vhost=0 --poll="$2" || return 1
  SOCK=$DAEMON_DIR/virtio-forwarder0.sock
}

# Gives a tap that a process just created in NETNS its address, once it exists.
latency_tap_up() { # netns ifname ip
  local _
  for _ in $(seq 100); do ip -n "$1" link show "$2" >/dev/null 2>&1 && break; sleep 0.1; done
  ip -n "$1" addr replace "$3/24" dev "$2" && ip -n "$1" link set "$2" up
}

# Nearest-rank percentile P of the numbers on stdin.
latency_percentile() { # p
  sort -g | awk -v p="$1" '{a[NR]=$1} END{ if (NR == 0) { print "n/a"; exit } i=int((NR*p+99)/100); print a[i<1 ? 1 : i] }'
}

# One measurement: sets P50 and P99 (us), "n/a" when the link did not carry the pings, and PLACED
# (the placement probes before it, the last one taken, and after it, everything stopped).
latency_measure() { # reference|ours count [poll-mode]
  local ping=$WORK/lat-ping-$1${3:+-$3}.log rtts=
  P50=n/a P99=n/a
  if "latency_start_$1" "$WORK/lat-$1.log" "${3:-}" && latency_tap_up "$LAT_B" vhost "$LAT_HOST_IP" &&
     latency_testpmd guest "$WORK/lat-guest.log" 0@1,1@0 "$LAT_A" vguest "net_virtio_user0,path=$SOCK,queues=1" &&
     latency_tap_up "$LAT_A" vguest "$LAT_GUEST_IP"; then
    ip netns exec "$LAT_A" busybox ping -c "$(($2 + LAT_WARMUP))" -i 0.002 -W 2 "$LAT_HOST_IP" >"$ping" 2>&1
    rtts=$(grep -oE 'seq=[0-9]+ ttl=[0-9]+ time=[0-9.]+' "$ping" | awk -F'[= ]' -v w="$LAT_WARMUP" '$2 >= w { printf "%.0f\n", $6 * 1000 }')
    [ -n "$rtts" ] || echo "latency: no replies through the $1 backend" >&2
  fi
  bench_stop_all
  placement_measured
  [ -n "$rtts" ] && { P50=$(latency_percentile 50 <<<"$rtts"); P99=$(latency_percentile 99 <<<"$rtts"); }
  return 0
}
