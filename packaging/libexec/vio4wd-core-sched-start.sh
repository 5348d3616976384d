#!/bin/bash
# ExecStart of vio4wd_core_scheduler.service: runs "vfwdctl sched" against the daemon's stats and
# CPU migration endpoints, with the VIO4WD_CORE_SCHED_* settings (§9.3).
. "$(dirname "${BASH_SOURCE[0]}")/vio4wd-functions.sh"
vio4wd_load_config

# The daemon opens no migration endpoint unless this is exactly "true" (§9.1). Upstream's unit
# starts the scheduler anyway and it retries forever; here the service ends at once and says why.
if [ "$VIO4WD_CORE_SCHED_ENABLE" != true ]; then
    vio4wd_log "VIO4WD_CORE_SCHED_ENABLE is not 'true': the daemon has no CPU migration endpoint, nothing to schedule"
    exit 0
fi

vio4wd_make_endpoint_dir "$VIRTIOFWD_ZMQ_STATS_EP"
vio4wd_make_endpoint_dir "$VIRTIOFWD_ZMQ_CORE_SCHED_EP"

argv=(sched)
vio4wd_arg --stats-ep= "$VIRTIOFWD_ZMQ_STATS_EP"
vio4wd_arg --sched-ep= "$VIRTIOFWD_ZMQ_CORE_SCHED_EP"
vio4wd_arg --sensitivity= "$VIO4WD_CORE_SCHED_SENSITIVITY"
vio4wd_arg --poll-interval= "$VIO4WD_CORE_SCHED_POLL_INTERVAL"
vio4wd_arg --loglevel= "$VIO4WD_CORE_SCHED_LOG_LEVEL"
# Upstream's systemd unit writes this flag after the closing quote of its "bash -c" script, where
# it becomes bash's $0 and never reaches the scheduler (§9.3); here it is passed.
vio4wd_switch --global-numa-opt "$VIO4WD_CORE_SCHED_GLOBAL_NUMA_OPT"

exec "${VIO4WD_CORE_SCHED_BINARY:-$VIO4WD_LIBDIR/bin/vfwdctl}" "${argv[@]}"
