#!/bin/bash
# ExecStart of virtio-forwarder.service: turns the config file into the daemon's command line
# (§9.1, §9.2) and replaces itself with the daemon, so systemd watches the daemon directly and
# its READY=1 comes from the main process.
. "$(dirname "${BASH_SOURCE[0]}")/vio4wd-functions.sh"
vio4wd_load_config
argv=()

[ -n "$VIRTIOFWD_CPU_MASK" ] || vio4wd_fail "VIRTIOFWD_CPU_MASK is not set: the daemon needs worker CPUs"
vio4wd_arg -C "$VIRTIOFWD_CPU_MASK"
# Foreground, logging to syslog (the journal under systemd).
argv+=(--nodaemon=log_syslog)
vio4wd_arg -l "$VIRTIOFWD_LOG_LEVEL"
vio4wd_arg -M "$VIRTIOFWD_MASTER_LCORE"
vio4wd_arg -p "$VIRTIOFWD_PID_DIR"
vio4wd_arg -H "$VIRTIOFWD_HUGETLBFS_MOUNT_POINT"
vio4wd_arg -O "$VIRTIOFWD_OVSDB_SOCK_PATH"
vio4wd_arg --zmq-config-ep= "$VIRTIOFWD_ZMQ_CONFIG_EP"
vio4wd_arg --zmq-port-control-ep= "$VIRTIOFWD_ZMQ_PORT_CONTROL_EP"
vio4wd_arg --zmq-stats-ep= "$VIRTIOFWD_ZMQ_STATS_EP"
# The migration endpoint opens only on an exact "true" (§9.1).
[ "$VIO4WD_CORE_SCHED_ENABLE" = true ] && vio4wd_arg --zmq-core-sched-ep= "$VIRTIOFWD_ZMQ_CORE_SCHED_EP"
vio4wd_switch --ipc "$VIRTIOFWD_IPC_PORT_CONTROL"
# Empty owner or group adds nothing, so the daemon's defaults libvirt-qemu and kvm apply (§9.2).
vio4wd_arg -u "$VIRTIOFWD_SOCKET_OWNER"
vio4wd_arg -g "$VIRTIOFWD_SOCKET_GROUP"
vio4wd_arg --vhost-path= "$VIRTIOFWD_SOCKET_DIR"
vio4wd_arg --vhost-socket= "$VIRTIOFWD_SOCKET_FNAME_PATTERN"
vio4wd_switch -J "$VIRTIOFWD_JUMBO"
vio4wd_switch --enable-mrgbuf "$VIRTIOFWD_MRGBUF"
vio4wd_switch --vhostuser-client "$VIRTIOFWD_VHOST_CLIENT"
vio4wd_switch --zero-copy "$VIRTIOFWD_ZERO_COPY"
vio4wd_switch --enable-tso "$VIRTIOFWD_TSO"
vio4wd_switch --dynamic-sockets "$VIRTIOFWD_DYNAMIC_SOCKETS"
vio4wd_switch --same-numa "$VIRTIOFWD_CPU_NIC_SAME_NUMA"
vio4wd_list -c VIRTIOFWD_CPU_PINS
vio4wd_arg --vfio-vf-token= "$VIRTIOFWD_VFIO_VF_TOKEN"
vio4wd_list -P VIRTIOFWD_STATIC_VFS
# This implementation's own options.
vio4wd_arg --control-socket= "$VIRTIOFWD_CONTROL_SOCKET"
vio4wd_arg --max-relays= "$VIRTIOFWD_MAX_RELAYS"
vio4wd_arg --port-driver= "$VIRTIOFWD_PORT_DRIVER"
vio4wd_arg --poll= "$VIRTIOFWD_POLL"

exec "${VIRTIOFWD_BINARY:-$VIO4WD_LIBDIR/bin/virtio-forwarder}" "${argv[@]}"
