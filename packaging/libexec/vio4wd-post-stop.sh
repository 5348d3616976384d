#!/bin/bash
# ExecStopPost of virtio-forwarder.service: returns once the daemon of the pid file is gone, at
# most 10 s later, so that a restart never finds the old process still holding its sockets (§9.3).
. "$(dirname "${BASH_SOURCE[0]}")/vio4wd-functions.sh"
vio4wd_load_config

pid_file=$(vio4wd_pid_file)
# No file: the daemon exited cleanly (it removes the file) or never got as far as writing it.
[ -r "$pid_file" ] || exit 0
read -r pid < "$pid_file"
[[ $pid =~ ^[0-9]+$ ]] || vio4wd_fail "$pid_file does not hold a process id"

for _ in $(seq 50); do
    kill -0 "$pid" 2>/dev/null || exit 0
    sleep 0.2
done
vio4wd_fail "virtio-forwarder (pid $pid) has not exited after 10 s"
