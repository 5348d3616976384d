# Resident memory of the daemon per relay (module interface: scripts/bench/lib.sh), from
# /proc/PID/smaps, in three states of one relay count:
#   no relays  the same daemon with dynamic sockets (-d) and no ports: nothing in use
#   idle       a null:64 port and a listening socket per relay, no frontend
#   active     a frontend on every socket (one testpmd, one virtio_user port per relay, txonly)
# Guest memory is what the daemon maps from the frontends (testpmd's "/memfd:nohuge" mappings in
# /proc/PID/smaps). The daemon's own memory is the resident rest less file-backed mappings: its
# heap, buffers, rings and JIT code, not the shared libraries' file pages (which the kernel may
# drop and reload at will). Its growth over the no-relay daemon per relay is the cost "beyond guest
# buffers" (goal: under 8 MiB per active relay).
# Writes $WORK/memory.tsv.

MEMORY_RELAYS=4

bench_cases_memory() {
  [ "$QUICK" = 1 ] && return 0
  local n=$MEMORY_RELAYS ports=() socks=() i
  for ((i = 0; i < n; i++)); do ports+=("-Pnull:64=$i"); socks+=("$WORK/ours/virtio-forwarder$i.sock"); done
  printf 'state\trelays\tresident KiB\tguest memory KiB\town KiB\tper relay KiB\n' >"$WORK/memory.tsv"

  daemon_start "$WORK/memory-none.log" --max-relays="$n" -d || return 0
  memory_settle; memory_row "no relays" 0
  bench_stop_all
  daemon_start "$WORK/memory-idle.log" --max-relays="$n" "${ports[@]}" || return 0
  memory_settle; memory_row idle "$n"
  gen_start gen "$WORK/memory-gen.log" txonly 64 1 "${socks[@]}"
  SAMPLES=1 measure_rate "$(gen_counter gen opackets)"
  memory_row active "$n"
  bench_stop_all

  printf '[memory, own = resident less guest memory and file-backed mappings; per relay = own growth over the no-relay daemon]\n'
  column -t -s $'\t' "$WORK/memory.tsv"
}

# Gives start-up's background work (tiered JIT, first-use allocations) time to settle before a sample.
memory_settle() { sleep 2; }

# The daemon's memory now (smaps_split), as a row of memory.tsv.
memory_row() { # state relays
  local rss guest own base per=-
  read -r rss guest own < <(smaps_split "$DAEMON_PID")
  if [ "$2" -gt 0 ]; then
    base=$(awk -F'\t' '$1 == "no relays" {print $5}' "$WORK/memory.tsv")
    [ -n "$base" ] && per=$(((own - base) / $2))
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$rss" "$guest" "$own" "$per" >>"$WORK/memory.tsv"
}
