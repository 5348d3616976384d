# Helpers for scripts that run DPDK testpmd and the daemon (./bench, ./demo). Sourced, not run.

# Stops one process we started, by PID: SIGINT (testpmd prints its stats; or the signal given),
# then TERM, then KILL. A process a non-interactive shell started in the background inherits
# SIGINT ignored, and .NET keeps it so: stop the daemon with TERM. A process frozen with SIGSTOP
# (./bench's turns) is thawed to take the signal. Sets STOPPED_STATUS to its exit status (128 + N
# for a process signal N ended: 143 for SIGTERM, 137 after the KILL fallback).
stop_pid() { # pid [signal]
  local p=$1
  [ -n "$p" ] || return 0
  kill -"${2:-INT}" "$p" 2>/dev/null
  kill -CONT "$p" 2>/dev/null
  for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$p" 2>/dev/null && { kill -TERM "$p" 2>/dev/null; sleep 1; kill -KILL "$p" 2>/dev/null; }
  wait "$p" 2>/dev/null
  STOPPED_STATUS=$?
  return 0
}

# testpmd re-raises SIGINT after its cleanup, so EAL leaves hugepage files and its runtime
# directory behind: remove those of our own file prefix.
testpmd_cleanup() {
  rm -f /dev/hugepages/"$1"map_* 2>/dev/null
  rm -rf "/var/run/dpdk/$1" 2>/dev/null
  return 0
}

# Waits up to SECONDS (default 10) for a line matching an extended regex in a log file.
wait_for_line() { # log regex [seconds]
  for _ in $(seq $((${3:-10} * 20))); do grep -aqE "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
  return 1
}
