# The vhost-user ⇄ null port path, against DPDK testpmd's own vhost backend (module interface:
# scripts/bench/lib.sh).
#   reference: testpmd net_vhost + net_null (size = frame size), io forwarding, one forwarding
#              lcore on CPU 1
#   ours:      the daemon, worker CPU 1, a null:SIZE port per relay (a sink that also sources)
# Both backends carry both directions of every port they own, as testpmd's io forwarding does:
# the one a case does not drive is filled once and then refused cheaply by a full ring.
# Cases: g2h (generator txonly), h2g (generator rxonly) and both (one generator per direction,
# on two sockets: testpmd pairs net_vhost0⇄net_null0 and net_vhost1⇄net_null1 on its one
# forwarding lcore, ours runs two relays on its one worker CPU); the value of both is the sum.

# Groups as "null-<queue pairs>q-<ring>" with their sizes: 1518 B and packed rings only at one
# queue pair, which keeps a full run within ./bench's 10-minute budget.
NULL_PLAN_FULL="1:split:64,1518 2:split:64 1:packed:64"
NULL_PLAN_QUICK="1:split:64"

bench_cases_null() {
  local plan=$NULL_PLAN_FULL cases="g2h h2g both" entry queues ring size c
  [ "$QUICK" = 1 ] && { plan=$NULL_PLAN_QUICK; cases="g2h h2g"; }
  for entry in $plan; do
    IFS=: read -r queues ring sizes <<<"$entry"
    for size in ${sizes//,/ }; do
      for c in $cases; do null_case "null-${queues}q-$ring" "$c" "$size" "$queues" "$ring"; done
    done
  done
}

null_case() { # group case size queues ring
  local ours=() refs=() _
  for _ in $(seq "$REPS"); do
    null_measure reference "$2" "$3" "$4" "$5"; refs+=("$RUN")
    # A ring layout we do not negotiate stays unsupported in the next repetitions.
    if [ "${ours[0]:-}" = n/a ]; then ours+=(n/a); continue; fi
    null_measure ours "$2" "$3" "$4" "$5"; ours+=("$RUN")
  done
  record_result "$1" "$2" "$3" Mpps "${ours[*]}" "${refs[*]}"
}

# Starts the reference backend with one net_vhost + net_null pair per socket; sets SOCKS and BACKEND_PID.
null_start_reference() { # sockets size queues log
  local vdevs=() i
  SOCKS=()
  for ((i = 0; i < $1; i++)); do
    rm -f "$WORK/ref$i.sock"
    vdevs+=(--vdev "net_vhost$i,iface=$WORK/ref$i.sock,queues=$3" --vdev "net_null$i,size=$2")
    SOCKS+=("$WORK/ref$i.sock")
  done
  bench_testpmd ref "$4" 0@0,1@1 "${vdevs[@]}" -- --nb-cores=1 --total-num-mbufs=32768 \
    --rxq="$3" --txq="$3" --forward-mode=io --stats-period 1
  BACKEND_PID=$TESTPMD_PID
  # The socket file exists from bind() on; the backend serves it once its ports have started.
  wait_for_line "$4" "start packet forwarding" 30 && return 0
  echo "reference backend did not start:" >&2; tail -5 "$4" >&2
  return 1
}

null_start_ours() { # sockets size queues log
  local ports=() i
  SOCKS=()
  for ((i = 0; i < $1; i++)); do ports+=("-Pnull:$2=$i"); SOCKS+=("$WORK/ours/virtio-forwarder$i.sock"); done
  daemon_start "$4" --max-relays="$1" "${ports[@]}" || return 1
  BACKEND_PID=$DAEMON_PID
}

# 1 when every "negotiated ... features 0x..." line of a backend's log has VIRTIO_F_RING_PACKED
# (bit 34) and there is at least one.
packed_negotiated() { # log
  local hex lines=0
  for hex in $(grep -aioE 'negotiated virtio features:? 0x[0-9a-f]+' "$1" | grep -oE '[0-9a-fA-F]+$'); do
    lines=$((lines + 1))
    [ $(((0x$hex >> 34) & 1)) = 1 ] || { echo 0; return; }
  done
  [ "$lines" -gt 0 ] && echo 1 || echo 0
}

# One measurement: sets RUN to the generators' summed median Mpps, "n/a" when the backend did not
# start or did not negotiate the ring layout asked for, 0 when no traffic moved.
null_measure() { # reference|ours case size queues ring
  local log=$WORK/$1.log nsocks=1 pairs=() pair
  RUN=n/a
  [ "$2" = both ] && nsocks=2
  if "null_start_$1" "$nsocks" "$3" "$4" "$log"; then
    GEN_DEVARGS=; [ "$5" = packed ] && GEN_DEVARGS=packed_vq=1
    if [ "$2" != h2g ]; then gen_start gen-tx "$WORK/gen-tx.log" txonly "$3" "$4" "${SOCKS[0]}"; pairs+=("$WORK/gen-tx.log:Tx"); fi
    if [ "$2" != g2h ]; then gen_start gen-rx "$WORK/gen-rx.log" rxonly "$3" "$4" "${SOCKS[nsocks-1]}"; pairs+=("$WORK/gen-rx.log:Rx"); fi
    wait_for_samples "${pairs[@]}"
    bench_stop_all
    RUN=0
    for pair in "${pairs[@]}"; do
      RUN=$(awk -v a="$RUN" -v b="$(median_pps "${pair%:*}" "${pair##*:}")" 'BEGIN{printf "%.2f", a+b}')
    done
    [ "$5" = packed ] && [ "$(packed_negotiated "$log")" = 0 ] && RUN=n/a
  fi
  bench_stop_all
}
