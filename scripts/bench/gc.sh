# Allocation check (module interface: scripts/bench/lib.sh): the daemon forwards both ways
# (two relays with null:64 ports, a txonly generator on one, an rxonly one on the other) for a
# steady window of $VFWD_BENCH_GC_SECONDS (default 10) after warm-up; its GC counters (admin
# stats, "gc") are read at both ends. Goal: no gen0 collection, and allocated bytes that do not
# grow with the packets (each admin request allocates some 16 KiB itself). Writes $WORK/gc.tsv.

bench_cases_gc() {
  [ "$QUICK" = 1 ] && return 0
  local seconds=${VFWD_BENCH_GC_SECONDS:-10} before after
  daemon_start "$WORK/gc-ours.log" --max-relays=2 -Pnull:64=0 -Pnull:64=1 || return 0
  gen_start gen-tx "$WORK/gc-gen-tx.log" txonly 64 1 "$WORK/ours/virtio-forwarder0.sock"
  gen_start gen-rx "$WORK/gc-gen-rx.log" rxonly 64 1 "$WORK/ours/virtio-forwarder1.sock"
  # Steady state: both generators past their ramp-up.
  SAMPLES=1 measure_rate "$(gen_counter gen-tx opackets)" "$(gen_counter gen-rx ipackets)"
  # The first admin request sets up its JSON serializer (some 400 KiB): not part of the window.
  daemon_stats_json >/dev/null
  before=$(gc_counters); sleep "$seconds"; after=$(gc_counters)
  bench_stop_all

  printf 'counter\tstart\tend\tdelta\n' >"$WORK/gc.tsv"
  paste <(printf 'gen0 collections\ngen1 collections\ngen2 collections\nallocated bytes\nframes forwarded\n') \
    <(tr ' ' '\n' <<<"$before") <(tr ' ' '\n' <<<"$after") |
    awk -F'\t' -v OFS='\t' '{print $1, $2, $3, $3 - $2}' >>"$WORK/gc.tsv"
  awk -F'\t' -v OFS='\t' '$1 == "allocated bytes" {b = $4} $1 == "frames forwarded" {f = $4}
    END {print "bytes per frame", "", "", (f > 0 ? sprintf("%.6f", b / f) : "n/a")}' "$WORK/gc.tsv" >>"$WORK/gc.tsv"
  printf '[gc, %d s steady window, forwarding both ways]\n' "$seconds"
  column -t -s $'\t' "$WORK/gc.tsv"
}

# "gen0 gen1 gen2 allocated_bytes frames" from the admin stats; frames = every relay's rx_packets.
gc_counters() {
  daemon_stats_json | awk '{
    for (k = 0; k < 3; k++) if (match($0, "\"gen" k "_collections\":[0-9]+")) g[k] = substr($0, RSTART + length("\"genX_collections\":"), RLENGTH - length("\"genX_collections\":"))
    if (match($0, /"allocated_bytes":[0-9]+/)) a = substr($0, RSTART + 18, RLENGTH - 18)
    s = $0; while (match(s, /"rx_packets":[0-9]+/)) { f += substr(s, RSTART + 13, RLENGTH - 13); s = substr(s, RSTART + RLENGTH) }
    print g[0], g[1], g[2], a, f + 0 }'
}
