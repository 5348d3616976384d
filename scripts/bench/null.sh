# The vhost-user ⇄ null port path, against DPDK testpmd's own vhost backend (module interface:
# scripts/bench/lib.sh).
#   reference: testpmd net_vhost (client=1) + net_null (size = frame size), io forwarding, one
#              forwarding lcore on CPU 1
#   ours:      the daemon in client mode (-i), worker CPU 1, a null:SIZE port per relay (a sink
#              that also sources)
# Each backend has generators of its own, identical ones (the vhost-user servers; the backend
# connects to them as a client). Both sides of a case start once; then they take turns, the
# other side frozen meanwhile (SIGSTOP: no CPU, connections and rings kept as they are), so a
# turn costs its measurement only, not four process start-ups and shutdowns.
# Both backends carry both directions of every port they own, as testpmd's io forwarding does:
# the one a case does not drive is filled once and then refused cheaply by a full ring.
# Cases: g2h (generator txonly), h2g (generator rxonly) and both (one generator per direction,
# on two sockets: testpmd pairs net_vhost0⇄net_null0 and net_vhost1⇄net_null1 on its one
# forwarding lcore, ours runs two relays on its one worker CPU); the value of both is the sum.
# Every turn of ours also reads its worker's time (Worker.Load, over the admin socket) before and
# after, for the table worker-busy.tsv: the share of CPU 1 our relay needed for the rate.

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
  echo "[null, our worker's busy share: time in passes that moved frames, of all its time on CPU 1]"
  column -t -s $'\t' "$WORK/worker-busy.tsv"
}

# Rounds a case may add when its rounds so far hold no like-placed pair of runs (one of ours and
# one of the reference in the same placement: the only ones the report compares), at most
# $BENCH_EXTRA_ROUNDS in the whole run (./bench).
NULL_EXTRA_ROUNDS_PER_CASE=2

null_case() { # group case size queues ring
  local ours=() refs=() ours_placed=() refs_placed=() ours_busy=() extra=0 _
  null_start_side reference "${@:2}"; null_start_side ours "${@:2}"
  placement_probe
  for _ in $(seq "$REPS"); do null_round; done
  while [ "$extra" -lt "$NULL_EXTRA_ROUNDS_PER_CASE" ] && [ "$BENCH_EXTRA_ROUNDS" -gt 0 ] &&
    ! bench_report placement-paired "$WORK" "${ours[*]}" "${refs[*]}" "${ours_placed[*]}" "${refs_placed[*]}"; do
    extra=$((extra + 1)) BENCH_EXTRA_ROUNDS=$((BENCH_EXTRA_ROUNDS - 1))
    echo "null: $1 $2 $3: no like-placed pair of runs yet, one more round" >&2
    null_round
  done
  bench_stop_all
  record_result "$1" "$2" "$3" Mpps "${ours[*]}" "${refs[*]}" "${ours_placed[*]}" "${refs_placed[*]}"
  [ -s "$WORK/worker-busy.tsv" ] || printf 'group\tcase\tsize\tours busy %%, median\tours busy %%, each run\n' >"$WORK/worker-busy.tsv"
  printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$(median "${ours_busy[*]}")" "${ours_busy[*]}" >>"$WORK/worker-busy.tsv"
}

# One round of null_case: the reference's turn, then ours; adds to the caller's runs, placements
# and our worker's busy shares.
null_round() {
  null_turn reference; refs+=("$RUN"); refs_placed+=("$PLACED")
  null_turn ours; ours+=("$RUN"); ours_placed+=("$PLACED"); ours_busy+=("$BUSY")
}

# Per side: its processes (generators and backend) and its generators' counters, or "n/a" when
# it did not start or did not negotiate the ring layout asked for, "0" when no traffic moved.
declare -A NULL_PIDS NULL_SOURCES

# Starts a side's generators and backend, lets its traffic run in (connection, the daemon's
# tiered JIT), then freezes it until its turn. A side that did not start is stopped. A side
# other than "reference" is a daemon (the runtime module names its variants ours-<variant>).
null_start_side() { # reference|ours|ours-<variant> case size queues ring
  local side=$1 log=$WORK/$1.log backend=ours pid
  [ "$side" = reference ] && backend=reference
  NULL_SOURCES[$side]=n/a NULL_PIDS[$side]= GEN_PIDS=() BACKEND_PID=
  if ! null_start_generators "$@" || ! DAEMON_TAG=$side "null_start_$backend" "$3" "$4" "$log"; then
    for pid in "${GEN_PIDS[@]}" $BACKEND_PID; do bench_stop "$pid"; done
    return
  fi
  NULL_PIDS[$side]="${GEN_PIDS[*]} $BACKEND_PID"
  if wait_moving "${GEN_SOURCES[@]}"; then NULL_SOURCES[$side]="${GEN_SOURCES[*]}"; else
    echo "null: no traffic through the $side backend" >&2; NULL_SOURCES[$side]=0
  fi
  kill -STOP ${NULL_PIDS[$side]}
  [ "$5" = packed ] && [ "$(packed_negotiated "$log")" = 0 ] && NULL_SOURCES[$side]=n/a
}

# One turn of a side: thawed, measured (measure_rate), frozen again, placement probed with every
# side frozen (the probe before is the caller's, or the last turn's after); sets RUN and PLACED,
# and for ours BUSY, our worker's busy share meanwhile (busy_share).
null_turn() { # side
  local before=
  RUN=${NULL_SOURCES[$1]} PLACED=- BUSY=n/a
  case $RUN in n/a | 0) return ;; esac
  kill -CONT ${NULL_PIDS[$1]}
  [ "$1" = reference ] || before=$(worker_time "$1")
  measure_rate ${NULL_SOURCES[$1]}; RUN=$RATE
  [ -n "$before" ] && BUSY=$(busy_share "$before" "$(worker_time "$1")")
  kill -STOP ${NULL_PIDS[$1]}
  placement_measured
}

# Our worker's time on the backend CPU 1 from the side's admin socket (Worker.Load), "busy all"
# in ns, all = busy + idle polling + sleeping (stalls, when it did not have the CPU, left out).
# The same request as daemon_stats_json, but from Python rather than vfwdctl: a .NET start-up
# would take CPU on the machine's two CPUs just as the measurement begins.
worker_time() { # side
  /usr/bin/python3 - "$WORK/$1/ctl" <<'PY' 2>/dev/null
import json, socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(b'{"command":"stats"}\n')
reply = b""
while not reply.endswith(b"\n"):
    chunk = s.recv(65536)
    if not chunk: break
    reply += chunk
w = [x for x in json.loads(reply)["stats"].get("workers", []) if x["cpu"] == 1]
print(sum(x["busy_ns"] for x in w), sum(x["busy_ns"] + x["idle_ns"] + x["sleep_ns"] for x in w))
PY
}

# Busy share in % between two worker_time readings; n/a without both. Near 0 the backend idled
# while the generator set the rate (docs/bench/README.md, "Reading it").
busy_share() { # "busy all" "busy all"
  awk -v a="$1" -v b="$2" 'BEGIN { split(a, x, " "); split(b, y, " ")
    if (x[2] == "" || y[2] == "" || y[2] <= x[2]) print "n/a"; else printf "%.0f", 100 * (y[1] - x[1]) / (y[2] - x[2]) }'
}

# Starts a side's generators as servers on $WORK/gen-SIDE/virtio-forwarder<i>.sock (g2h and h2g
# one, both two); sets GEN_SOCKS, GEN_PIDS and GEN_SOURCES (their counters, for measure_rate).
null_start_generators() { # side case size queues ring
  local dir=$WORK/gen-$1 names=() name
  mkdir -p "$dir"; rm -f "$dir"/*.sock
  GEN_SOCKS=("$dir/virtio-forwarder0.sock"); GEN_SOURCES=() GEN_PIDS=()
  [ "$2" = both ] && GEN_SOCKS+=("$dir/virtio-forwarder1.sock")
  local devargs=server=1; [ "$5" = packed ] && devargs+=,packed_vq=1
  if [ "$2" != h2g ]; then names+=("gen-$1-tx:txonly:opackets:0"); fi
  if [ "$2" != g2h ]; then names+=("gen-$1-rx:rxonly:ipackets:$((${#GEN_SOCKS[@]} - 1))"); fi
  for name in "${names[@]}"; do
    IFS=: read -r name mode counter sock <<<"$name"
    GEN_DEVARGS=$devargs gen_start "$name" "$WORK/$name.log" "$mode" "$3" "$4" "${GEN_SOCKS[sock]}"
    GEN_PIDS+=("$GEN_PID"); GEN_SOURCES+=("$(gen_counter "$name" "$counter")")
    wait_for_line "$WORK/$name.log" "waiting for client connection" 30 && continue
    echo "generator did not start:" >&2; tail -5 "$WORK/$name.log" >&2
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
  bench_testpmd ref "$3" 0@0,1@1 "${vdevs[@]}" -- --nb-cores=1 $TESTPMD_POOL \
    --rxq="$2" --txq="$2" --forward-mode=io --stats-period 1
  BACKEND_PID=$TESTPMD_PID
  wait_for_line "$3" "start packet forwarding" 30 && return 0
  echo "reference backend did not start:" >&2; tail -5 "$3" >&2
  return 1
}

# Ours as the generators' client (-i), a relay with a null:SIZE/QUEUES port per socket: one
# source per queue, as the reference's net_null has one per --rxq.
null_start_ours() { # size queues log
  local ports=() i
  for i in "${!GEN_SOCKS[@]}"; do ports+=("-Pnull:$1/$2=$i"); done
  daemon_start "$3" --max-relays="${#GEN_SOCKS[@]}" -i -V"${GEN_SOCKS[0]%/*}" "${ports[@]}" || return 1
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
