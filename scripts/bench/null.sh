# The vhost-user ⇄ null port path, against DPDK testpmd's own vhost backend (module interface:
# scripts/bench/lib.sh).
#   reference: testpmd net_vhost (client=1) + net_null (size = frame size), io forwarding, one
#              forwarding lcore on CPU 1
#   ours:      the daemon in client mode (-i), worker CPU 1, a null:SIZE port per relay (a sink
#              that also sources)
# The generators are the vhost-user servers; the backends take turns connecting to them.
# Both backends carry both directions of every port they own, as testpmd's io forwarding does:
# the one a case does not drive is filled once and then refused cheaply by a full ring.
# Cases: g2h (generator txonly), h2g (generator rxonly) and both (one generator per direction,
# on two sockets: testpmd pairs net_vhost0⇄net_null0 and net_vhost1⇄net_null1 on its one
# forwarding lcore, ours runs two relays on its one worker CPU); the value of both is the sum.

# Groups "null-<queue pairs>q-<ring>", each as queues:ring:sizes:cases. 1518 B and both at once
# only at one queue pair with split rings, which keeps a full run within ./bench's 10 minutes.
NULL_PLAN_FULL="1:split:64,1518:g2h,h2g,both 2:split:64:g2h,h2g 1:packed:64:g2h,h2g"
NULL_PLAN_QUICK="1:split:64:g2h,h2g"

bench_cases_null() {
  local plan=$NULL_PLAN_FULL entry queues ring sizes cases size c
  [ "$QUICK" = 1 ] && plan=$NULL_PLAN_QUICK
  for entry in $plan; do
    IFS=: read -r queues ring sizes cases <<<"$entry"
    for size in ${sizes//,/ }; do
      for c in ${cases//,/ }; do null_case "null-${queues}q-$ring" "$c" "$size" "$queues" "$ring"; done
    done
  done
}

null_case() { # group case size queues ring
  local ours=() refs=() _
  GEN_PAIRS=()
  for _ in $(seq "$REPS"); do
    null_run reference "${@:2}"; refs+=("$RUN")
    # A ring layout we do not negotiate stays unsupported in the next repetitions.
    if [ "${ours[0]:-}" = n/a ]; then ours+=(n/a); continue; fi
    null_run ours "${@:2}"; ours+=("$RUN")
  done
  bench_stop_all
  record_result "$1" "$2" "$3" Mpps "${ours[*]}" "${refs[*]}"
}

# One measurement. The generators of a case start once (their start-up is most of a
# measurement's time) as vhost-user servers, and the backends take turns connecting to them as
# clients. Packed rings get fresh generators for every measurement: after a backend that
# negotiated another ring layout, virtio_user (DPDK 22.11) moves next to nothing.
null_run() { # reference|ours case size queues ring
  if [ "$5" = packed ] || [ ${#GEN_PAIRS[@]} -eq 0 ]; then
    bench_stop_all
    null_start_generators "$2" "$3" "$4" "$5" || { RUN=n/a; GEN_PAIRS=(); return; }
  fi
  null_measure "$@"
}

# Starts the case's generators as servers on $WORK/gen/virtio-forwarder<i>.sock (g2h and h2g
# one, both two); sets GEN_SOCKS and GEN_PAIRS (log:field of each).
null_start_generators() { # case size queues ring
  local dir=$WORK/gen pair
  mkdir -p "$dir"; rm -f "$dir"/*.sock
  GEN_SOCKS=("$dir/virtio-forwarder0.sock"); GEN_PAIRS=()
  [ "$1" = both ] && GEN_SOCKS+=("$dir/virtio-forwarder1.sock")
  local devargs=server=1; [ "$4" = packed ] && devargs+=,packed_vq=1
  if [ "$1" != h2g ]; then
    GEN_DEVARGS=$devargs gen_start gen-tx "$WORK/gen-tx.log" txonly "$2" "$3" "${GEN_SOCKS[0]}"; GEN_PAIRS+=("$WORK/gen-tx.log:Tx")
  fi
  if [ "$1" != g2h ]; then
    GEN_DEVARGS=$devargs gen_start gen-rx "$WORK/gen-rx.log" rxonly "$2" "$3" "${GEN_SOCKS[-1]}"; GEN_PAIRS+=("$WORK/gen-rx.log:Rx")
  fi
  for pair in "${GEN_PAIRS[@]}"; do
    wait_for_line "${pair%:*}" "waiting for client connection" 30 && continue
    echo "generator did not start:" >&2; tail -5 "${pair%:*}" >&2
    return 1
  done
}

# The reference backend as the generators' client, one net_vhost + net_null pair per socket;
# sets BACKEND_PID.
null_start_reference() { # size queues log
  local vdevs=() i
  for i in "${!GEN_SOCKS[@]}"; do
    vdevs+=(--vdev "net_vhost$i,iface=${GEN_SOCKS[i]},client=1,queues=$2" --vdev "net_null$i,size=$1")
  done
  bench_testpmd ref "$3" 0@0,1@1 "${vdevs[@]}" -- --nb-cores=1 --total-num-mbufs=32768 \
    --rxq="$2" --txq="$2" --forward-mode=io --stats-period 1
  BACKEND_PID=$TESTPMD_PID
  wait_for_line "$3" "start packet forwarding" 30 && return 0
  echo "reference backend did not start:" >&2; tail -5 "$3" >&2
  return 1
}

# Ours as the generators' client (-i), a relay with a null:SIZE port per socket.
null_start_ours() { # size queues log
  local ports=() i
  for i in "${!GEN_SOCKS[@]}"; do ports+=("-Pnull:$1=$i"); done
  daemon_start "$3" --max-relays="${#GEN_SOCKS[@]}" -i -V"$WORK/gen" "${ports[@]}" || return 1
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

# One backend's turn on the running generators: sets RUN to their summed median Mpps over the
# samples since it started, "n/a" when it did not start or did not negotiate the ring layout
# asked for, 0 when no traffic moved.
null_measure() { # reference|ours case size queues ring
  local log=$WORK/$1.log pairs=() pair l f from
  RUN=n/a
  for pair in "${GEN_PAIRS[@]}"; do pairs+=("$pair:$(($(wc -l <"${pair%:*}") + 1))"); done
  if "null_start_$1" "$3" "$4" "$log"; then
    wait_for_samples "${pairs[@]}"
    RUN=0
    for pair in "${pairs[@]}"; do
      IFS=: read -r l f from <<<"$pair"
      RUN=$(awk -v a="$RUN" -v b="$(median_pps "$l" "$f" "$from")" 'BEGIN{printf "%.2f", a+b}')
    done
    [ "$5" = packed ] && [ "$(packed_negotiated "$log")" = 0 ] && RUN=n/a
  fi
  bench_stop "$BACKEND_PID"
}
