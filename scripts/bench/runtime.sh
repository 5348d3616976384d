# The daemon's runtime variants (module interface: scripts/bench/lib.sh). Not in ./bench's default
# set (publishing two variants takes minutes): `sudo ./bench runtime`, or VFWD_BENCH_RUNTIME=1
# for a full run with it. The null module's g2h and h2g at 64 B, one queue pair, split ring, with
# the daemon as
#   jit               out/bin as ./build publishes it (the shipped settings in src/Daemon:
#                     workstation GC, concurrent GC off, TieredPGO on)
#   jit-gcserver      the same with DOTNET_gcServer=1
#   jit-gcconcurrent  DOTNET_gcConcurrent=1 (.NET's default, which the shipped settings turn off)
#   jit-nopgo         DOTNET_TieredPGO=0
#   jit-notiered      DOTNET_TieredCompilation=0 (fully optimised at first call, no tiers)
#   r2r               published with PublishReadyToRun into out/runtime/r2r
#   aot               published with PublishAot into out/runtime/aot (left out when it does not
#                     build; the reason is in the run's log), its AOT warnings listed
# The reference and every variant start once per case with generators of their own and take
# turns frozen, as in the null module, $REPS rounds. Writes $WORK/runtime.tsv: per variant the
# median Mpps and the ratio to the same run's reference in each case, the median placement probe
# around its turns (scripts/bench/lib.sh, placement_probe: a ratio between rows of different
# placements says little), start-up (start to ready, median over the cases), memory after the
# rounds (smaps_split: resident and own) and its exit status on SIGTERM in each case (0 expected).

# The null module's sides and turns (sourcing defines functions only).
. scripts/bench/null.sh

RUNTIME_VARIANTS="jit jit-gcserver jit-gcconcurrent jit-nopgo jit-notiered r2r aot"

bench_cases_runtime() {
  [ "$QUICK" = 1 ] && return 0
  local variants=() v c
  for v in $RUNTIME_VARIANTS; do runtime_publish "$v" && variants+=("$v"); done
  local -A mpps=() placed=() start=() rss=() own=() status=() med=()
  for c in g2h h2g; do runtime_case "$c" "${variants[@]}"; done
  for v in "${!mpps[@]}"; do med[$v]=$(median "${mpps[$v]}"); done
  printf 'variant\tg2h Mpps\tg2h ratio\th2g Mpps\th2g ratio\tround trip ns\tstart-up s\tresident KiB\town KiB\texit on SIGTERM\n' >"$WORK/runtime.tsv"
  for v in reference "${variants[@]}"; do
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$v" \
      "${med[$v/g2h]}" "$(ratio "${med[$v/g2h]}" "${med[reference/g2h]}" Mpps)" \
      "${med[$v/h2g]}" "$(ratio "${med[$v/h2g]}" "${med[reference/h2g]}" Mpps)" "$(median "${placed[$v]:-}")" \
      "$(median "${start[$v]:-}")" "$(median "${rss[$v]:-}")" "$(median "${own[$v]:-}")" "${status[$v]:--}" >>"$WORK/runtime.tsv"
  done
  printf '[runtime, 64 B, one queue pair, split; ratio = variant / DPDK reference, medians of %s rounds]\n' "$REPS"
  column -t -s $'\t' "$WORK/runtime.tsv"
}

# Publishes the variants that need a build of their own (out/runtime/<variant>, intermediate
# files under out/runtime/obj-<variant>, so ./build's out/bin and obj/ stay as they are).
runtime_publish() { # variant
  local props=()
  case $1 in
    r2r) props=(-p:PublishReadyToRun=true --self-contained false) ;;
    aot) props=(-p:PublishAot=true) ;;
    *) return 0 ;;
  esac
  local log=$WORK/publish-$1.log
  if dotnet publish src/Daemon/Daemon.csproj -c Release -r linux-x64 "${props[@]}" --artifacts-path "out/runtime/obj-$1" \
      -o "out/runtime/$1" -nologo </dev/null >"$log" 2>&1; then
    # One line per place and code: "runtime: aot: AdminServer.cs(66) IL2026".
    grep -aoE '[^ /]+\.cs\([0-9]+[,0-9]*\): ([A-Za-z ]+ )?warning IL[0-9]+' "$log" | sed -E 's/,[0-9]+\)/)/; s/: .*warning / /' |
      sort -u | sed "s/^/runtime: $1: /" >&2
    return 0
  fi
  echo "runtime: $1 does not build; left out:" >&2
  grep -aE ': error ' "$log" | sed 's/^ *//' | sort -u | head -20 >&2
  return 1
}

# The daemon of a variant: sets DAEMON_BIN and DAEMON_ENV for daemon_start.
runtime_daemon() { # variant
  DAEMON_BIN=out/bin/virtio-forwarder DAEMON_ENV=
  case $1 in
    jit-gcserver) DAEMON_ENV=DOTNET_gcServer=1 ;;
    jit-gcconcurrent) DAEMON_ENV=DOTNET_gcConcurrent=1 ;;
    jit-nopgo) DAEMON_ENV=DOTNET_TieredPGO=0 ;;
    jit-notiered) DAEMON_ENV=DOTNET_TieredCompilation=0 ;;
    r2r | aot) DAEMON_BIN=out/runtime/$1/virtio-forwarder ;;
  esac
}

# One case: the reference and every variant started, then $REPS rounds of turns; adds to the
# caller's mpps[<variant>/<case>], placed (the placement probes around its turns), start, rss, own
# and status.
runtime_case() { # case variant...
  local c=$1 v pid r o _; shift
  null_start_side reference "$c" 64 1 split
  for v in "$@"; do
    runtime_daemon "$v"; DAEMON_START_SECONDS=n/a
    null_start_side "ours-$v" "$c" 64 1 split; start[$v]+=" $DAEMON_START_SECONDS"
  done
  placement_probe
  for _ in $(seq "$REPS"); do
    null_turn reference; mpps[reference/$c]+=" $RUN"; placed[reference]+=" ${PLACED/\// }"
    for v in "$@"; do null_turn "ours-$v"; mpps[$v/$c]+=" $RUN"; placed[$v]+=" ${PLACED/\// }"; done
  done
  for v in "$@"; do
    pid=${NULL_PIDS[ours-$v]##* }
    [ -n "$pid" ] || continue
    read -r r _ o < <(smaps_split "$pid") && { rss[$v]+=" $r"; own[$v]+=" $o"; }
    # Each variant's exit status on SIGTERM (the daemon's shutdown path, as systemd stops it): 0.
    bench_stop "$pid"; status[$v]=${status[$v]:+${status[$v]} }$STOPPED_STATUS
  done
  bench_stop_all
}
