# Shared helpers of ./bench and its case modules. Sourced by ./bench, not run.
#
# Module interface. ./bench sources this file, then every other scripts/bench/<module>.sh, and
# calls bench_cases_<module> for each (null first, then the others by name). A module:
#   * defines bench_cases_<module> (and nothing that runs at source time);
#   * reads $QUICK (1: the smoke run ./test makes, ~1 min for all modules together; a module with
#     nothing quick to show records nothing), $REPS (repetitions, interleave ours and the
#     reference), $SAMPLES, $WINDOW and $WARMUP (a throughput measurement's windows, their length
#     and the settling before them, in seconds: measure_rate reads them), $WORK (this run's
#     scratch directory), $PREFIX (this run's unique EAL --file-prefix stem: use "$PREFIX-<name>",
#     or the bench_testpmd helper, so that two bench runs never collide);
#   * registers every process it starts with `bench_track_pid PID [SIGNAL]` (the exit trap stops
#     what is still running, with SIGNAL, default INT, then TERM and KILL, and removes the EAL
#     files of every "$PREFIX-*" prefix); bench_stop PID stops one earlier, bench_stop_all every
#     one (end of a measurement);
#   * creates the network namespaces it needs with bench_netns_add (the exit trap deletes them);
#     bench_testpmd and daemon_start start their process inside the one named by $BENCH_NETNS
#     (set it for the call: BENCH_NETNS=ns bench_testpmd ...);
#   * takes a placement probe (placement_probe, or placement_probe_frozen with the backend that
#     runs meanwhile) right before and after every measurement, all else frozen or idle, and
#     keeps "before/after" (PLACED after placement_measured) for each run;
#   * reports each case with
#       record_result GROUP CASE SIZE UNIT "OURS_RUNS" "REF_RUNS" ["OURS_PLACED" "REF_PLACED"]
#     GROUP and CASE are single words (CASE g2h/h2g rows are the ones ./test checks), SIZE the
#     frame size in bytes, UNIT Mpps (higher is better, ratio = ours/ref) or us (lower is
#     better, ratio = ref/ours); runs are space-separated numbers, "n/a" for a run that could not
#     be measured, and the placements one "before/after" per run in the same order ("-" for
#     none). It appends a row to $WORK/results.tsv and prints at once:
#       CASE SIZE OURS REF RATIO   (ours: runs; dpdk: runs; round trip ns ours: ...; dpdk: ...)
#     with the medians of all runs, under a "[GROUP, UNIT]" line whenever the group changes (the
#     report and ./bench's closing summary compare like-placed runs only: tools/BenchReport);
#   * may write further tables as $WORK/<name>.tsv (header line first) and print them; the
#     report (tools/BenchReport) renders every such file after results.tsv.

. scripts/lib/testpmd.sh

WORK=$(mktemp -d /tmp/vfwd-bench.XXXXXX)
PREFIX=vfwdb-$$
BENCH_PIDS=()    # entries PID:SIGNAL
BENCH_NETNS_ADDED=()
LAST_GROUP=

bench_track_pid() { BENCH_PIDS+=("$1:${2:-INT}"); }

bench_stop() { # pid
  local keep=() e
  for e in "${BENCH_PIDS[@]}"; do
    if [ "${e%:*}" = "$1" ]; then stop_pid "$1" "${e#*:}"; else keep+=("$e"); fi
  done
  BENCH_PIDS=("${keep[@]}")
}

# Stops every tracked process, the last started first (generators before their backend), and
# removes the EAL files testpmd leaves behind after SIGINT.
bench_stop_all() {
  local i
  for ((i = ${#BENCH_PIDS[@]} - 1; i >= 0; i--)); do stop_pid "${BENCH_PIDS[i]%:*}" "${BENCH_PIDS[i]#*:}"; done
  BENCH_PIDS=()    # entries PID:SIGNAL
  rm -f /dev/hugepages/"$PREFIX"-*map_* 2>/dev/null
  rm -rf /var/run/dpdk/"$PREFIX"-* 2>/dev/null
  return 0
}

# Creates network namespace NAME with lo up and IPv6 off (no ND/MLD chatter in the counts).
bench_netns_add() { # name
  ip netns add "$1" || return 1
  BENCH_NETNS_ADDED+=("$1")
  ip -n "$1" link set lo up
  ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
}

# Deletes the namespaces bench_netns_add created (and everything in them).
bench_netns_delete_all() {
  local ns
  for ns in "${BENCH_NETNS_ADDED[@]}"; do ip netns del "$ns" 2>/dev/null; done
  BENCH_NETNS_ADDED=()
  return 0
}

bench_cleanup() {
  bench_stop_all
  bench_netns_delete_all
  [ -n "${VFWD_BENCH_KEEP:-}" ] && echo "kept $WORK" >&2 || rm -rf "$WORK"
}

# Median of space-separated numbers ("n/a" entries ignored; n/a when none is left); of an even
# count, the mean of the middle two, with the inputs' decimals.
median() { # "numbers"
  printf '%s\n' $1 | grep -E '^[0-9.]+$' | sort -g | awk '{a[NR]=$1} END{
    if (NR == 0) { print "n/a"; exit }
    if (NR % 2) { print a[(NR+1)/2]; exit }
    d = index(a[1], ".") ? length(a[1]) - index(a[1], ".") : 0
    printf "%.*f\n", d, (a[NR/2] + a[NR/2+1]) / 2 }'
}

# ours / reference of two medians (reference / ours for UNIT us, lower is better); n/a when either
# is n/a or not positive.
ratio() { # ours ref unit
  awk -v o="$1" -v r="$2" -v u="$3" 'BEGIN{
    if (o == "n/a" || r == "n/a" || o <= 0 || r <= 0) print "n/a";
    else printf "%.2f", (u == "us" ? r/o : o/r) }'
}

record_result() { # group case size unit "ours runs" "ref runs" ["ours placed" "ref placed"]
  local o r ratio op=${7:--} rp=${8:--}
  o=$(median "$5"); r=$(median "$6")
  ratio=$(ratio "$o" "$r" "$4")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$o" "$r" "$ratio" "$5" "$6" "$op" "$rp" >>"$WORK/results.tsv"
  [ "$1" = "$LAST_GROUP" ] || { printf '[%s, %s]\n' "$1" "$4"; LAST_GROUP=$1; }
  printf '%-10s %-6s %12s %12s %8s   (ours: %s; dpdk: %s; round trip ns ours: %s; dpdk: %s)\n' "$2" "$3" "$o" "$r" "$ratio" "$5" "$6" "$op" "$rp"
}

# tools/BenchReport as ./build builds it: the report, the placement probe and pairing
# (bench_report_ready builds it when missing, as after VFWD_BENCH_SKIP_SETUP=1 on a fresh tree).
BENCH_REPORT=tools/BenchReport/bin/Release/net10.0/VirtioForwarder.BenchReport.dll
bench_report() { dotnet "$BENCH_REPORT" "$@"; }
bench_report_ready() {
  [ -f "$BENCH_REPORT" ] || dotnet build tools/BenchReport/BenchReport.csproj -c Release -nologo -v q </dev/null >/dev/null
}

# Placement (docs/bench/README.md, "Placement"): the host places the two vCPUs near or far, and
# our relay's rate follows it. The probe times the cross-CPU cache-line round trip between the
# generator's CPU 0 and the backend's CPU 1 (~0.2 s, a process of tools/BenchReport). It must
# run while nothing polls either CPU (a polling backend would take the probe's turns): the
# sides frozen, or placement_probe_frozen. Sets PLACEMENT_NS ("-" when it failed; why goes to
# $WORK/placement.log).
placement_probe() {
  PLACEMENT_NS=$(bench_report placement-probe 0 1 2>>"$WORK/placement.log")
  [[ $PLACEMENT_NS =~ ^[0-9]+$ ]] || PLACEMENT_NS=-
}

# placement_probe with the given processes frozen meanwhile.
placement_probe_frozen() { # pid...
  kill -STOP "$@" 2>/dev/null; placement_probe; kill -CONT "$@" 2>/dev/null
}

# After a measurement: probes again (placement_probe, or placement_probe_frozen with the PIDs
# given) and sets PLACED to "before/after", the probe before being the last one taken.
placement_measured() { # [pid...]
  local before=${PLACEMENT_NS:--}
  if [ $# -gt 0 ]; then placement_probe_frozen "$@"; else placement_probe; fi
  PLACED=$before/$PLACEMENT_NS
}

# The mbuf pool options of every testpmd the bench starts: the largest per-lcore mempool cache
# (DPDK's RTE_MEMPOOL_CACHE_MAX_SIZE, 512; the default is 250). A two-queue txonly generator
# keeps up to 2 x 256 mbufs in its rings and frees them 225 or more at a time, which overflows
# a cache of 250 into the pool's ring; its allocations then cycle FIFO through all 32768 mbufs
# (77 MB) and miss every mbuf header in the cache. How often that happens depends on when the
# backend returns descriptors, not on how fast it is: perf on the generator's CPU put 42 % of
# its time on that one load (rte_pktmbuf_reset reading buf_len) against our relay and 11 %
# against DPDK's (two-queue g2h, same run). With 512 that load is gone from both profiles
# (docs/bench/README.md, "Method").
TESTPMD_POOL="--total-num-mbufs=32768 --mbcache=512"

# Starts dpdk-testpmd without PCI or hugepages, line-buffered into LOG (stdbuf, and ip netns exec
# for $BENCH_NETNS, exec testpmd, so the PID is testpmd's), with EAL prefix $PREFIX-NAME; sets
# TESTPMD_PID and tracks it.
# Arguments after the lcores are testpmd's: EAL options (--vdev ...), then "--" and its own.
bench_testpmd() { # name log lcores args...
  local name=$1 log=$2 lcores=$3; shift 3
  ${BENCH_NETNS:+ip netns exec "$BENCH_NETNS"} stdbuf -oL dpdk-testpmd --lcores "$lcores" --no-pci --no-huge -m 512 --file-prefix="$PREFIX-$name" \
    "$@" </dev/null >"$log" 2>&1 &
  TESTPMD_PID=$!
  bench_track_pid "$TESTPMD_PID"
}

# The generator: testpmd net_virtio_user on the given sockets (one port each), its forwarding
# lcore on CPU 0 and main lcore on CPU 1 (cross-pinned against the backend under test), MODE
# txonly (g2h) or rxonly (h2g). Extra virtio_user devargs (packed_vq=1, ...) in $GEN_DEVARGS,
# best set for the call only (GEN_DEVARGS=... gen_start ...).
# Sets GEN_PID.
gen_start() { # name log mode size queues socket...
  local name=$1 log=$2 mode=$3 size=$4 queues=$5; shift 5
  local vdevs=() i=0 s
  for s in "$@"; do
    vdevs+=(--vdev "net_virtio_user$i,path=$s,queues=$queues${GEN_DEVARGS:+,$GEN_DEVARGS}"); i=$((i + 1))
  done
  bench_testpmd "$name" "$log" 0@1,1@0 "${vdevs[@]}" -- --nb-cores=1 $TESTPMD_POOL \
    --rxq="$queues" --txq="$queues" --forward-mode="$mode" --txpkts="$size" --stats-period 1
  GEN_PID=$TESTPMD_PID
}

# A generator's port counter as a rates.py source: opackets for txonly, ipackets for rxonly.
gen_counter() { # name ipackets|opackets [port]
  echo "dpdk:$PREFIX-$1:${3:-0}:$2"
}

# Rate of running counters (scripts/bench/rates.py sources: gen_counter's, or file:PATH, read
# inside $BENCH_NETNS if set): once every source moves and $WARMUP seconds have passed, $SAMPLES
# windows of $WINDOW seconds. Sets RATE to the median of the windows' summed rates in Mpps
# ($RATE_DECIMALS decimals, default 2; 0 when a source did not move within $BENCH_TIMEOUT
# seconds, default 30) and logs every window to $WORK/rates.log.
measure_rate() { # source...
  local out
  out=$(${BENCH_NETNS:+ip netns exec "$BENCH_NETNS"} /usr/bin/python3 scripts/bench/rates.py --warmup "$WARMUP" \
    --window "$WINDOW" --samples "$SAMPLES" --timeout "${BENCH_TIMEOUT:-30}" --decimals "${RATE_DECIMALS:-2}" "$@")
  RATE=${out%% *}
  echo "$* -> median and windows: $out" >>"$WORK/rates.log"
}

# Waits until every source moves and $WARMUP seconds have passed (measure_rate without windows);
# fails when a source did not move within $BENCH_TIMEOUT seconds.
wait_moving() { # source...
  ${BENCH_NETNS:+ip netns exec "$BENCH_NETNS"} /usr/bin/python3 scripts/bench/rates.py --warmup "$WARMUP" \
    --samples 0 --timeout "${BENCH_TIMEOUT:-30}" "$@" >/dev/null
}

# Starts our daemon (worker CPU 1, main CPU 0) with sockets and control socket in $WORK/ours and
# the given extra options; waits until it is ready. The daemon is $DAEMON_BIN (default
# out/bin/virtio-forwarder), run with the environment assignments in $DAEMON_ENV (the runtime
# module's variants); $DAEMON_TAG names its directory instead of "ours" (daemons running at once).
# Sets DAEMON_PID, DAEMON_DIR and DAEMON_START_SECONDS (start to ready).
daemon_start() { # log options...
  local log=$1 t0=$EPOCHREALTIME; shift
  DAEMON_DIR=$WORK/${DAEMON_TAG:-ours}
  mkdir -p "$DAEMON_DIR"; rm -f "$DAEMON_DIR"/*.sock
  ${BENCH_NETNS:+ip netns exec "$BENCH_NETNS"} env ${DAEMON_ENV:-} "${DAEMON_BIN:-out/bin/virtio-forwarder}" -C1 -M0 -n -l6 \
    -p"$DAEMON_DIR" -V"$DAEMON_DIR" -u -g --control-socket="$DAEMON_DIR/ctl" "$@" >"$log" 2>&1 &
  DAEMON_PID=$!
  bench_track_pid "$DAEMON_PID" TERM
  if wait_for_line "$log" "virtio-forwarder ready" 30; then
    DAEMON_START_SECONDS=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.2f", b - a}')
    return 0
  fi
  echo "daemon did not start:" >&2; tail -5 "$log" >&2
  bench_stop "$DAEMON_PID"; DAEMON_PID=
  return 1
}

# One smaps read of a process, so that pages faulted in meanwhile do not skew the split: prints
# "resident guest own" in KiB, guest = what it maps of the frontends' memory (testpmd's
# "/memfd:nohuge"), own = the rest less file-backed mappings (libraries, an AOT binary's code).
smaps_split() { # pid
  awk '/^[0-9a-f]+-/ {
      kind = ($6 == "/memfd:nohuge") ? "guest" : ($6 ~ /^\// && $6 !~ /^\/memfd:/) ? "file" : "own" }
    $1 == "Rss:" { r[kind] += $2; total += $2 }
    END { print total + 0, r["guest"] + 0, r["own"] + 0 }' "/proc/$1/smaps"
}

# The admin channel's stats reply as JSON (relays' counters, the daemon's GC counts).
daemon_stats_json() { out/bin/vfwdctl stats --json --control-socket "$DAEMON_DIR/ctl"; }

# machine.txt of the report: what was measured, on what.
describe_machine() {
  local commit
  commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
  [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ] && commit="$commit (with uncommitted changes)"
  echo "commit measured: $commit"
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "CPU: $(nproc) x $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
  echo "memory: $(awk '/^MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)"
  echo "OS: $(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r)"
  echo "DPDK: $(dpkg-query -W -f='${Version}' dpdk-dev 2>/dev/null || echo unknown) (testpmd)"
  echo ".NET: $(dotnet --version 2>/dev/null || echo unknown) SDK"
  echo "method: $REPS interleaved repetitions per case (null: up to $BENCH_EXTRA_ROUNDS more in the run for cases with no like-placed pair); each the median of $SAMPLES windows of $WINDOW s, $WARMUP s after the traffic started; the placement probed before and after each"
}
