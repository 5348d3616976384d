#!/bin/bash
# ExecStartPre of virtio-forwarder.service: prepares what the daemon expects to exist (§9.3).
. "$(dirname "${BASH_SOURCE[0]}")/vio4wd-functions.sh"
vio4wd_load_config

for endpoint in "$VIRTIOFWD_ZMQ_CONFIG_EP" "$VIRTIOFWD_ZMQ_PORT_CONTROL_EP" \
                "$VIRTIOFWD_ZMQ_STATS_EP" "$VIRTIOFWD_ZMQ_CORE_SCHED_EP"; do
    vio4wd_make_endpoint_dir "$endpoint"
done

# The socket directory, owned as configured. The daemon only chowns a directory it creates
# itself (§9.2), so an existing one is given its owner and group here.
if [ -n "$VIRTIOFWD_SOCKET_DIR" ]; then
    mkdir -p -- "$VIRTIOFWD_SOCKET_DIR" || vio4wd_fail "cannot create $VIRTIOFWD_SOCKET_DIR"
    if [ -n "$VIRTIOFWD_SOCKET_OWNER" ]; then
        chown -- "$VIRTIOFWD_SOCKET_OWNER" "$VIRTIOFWD_SOCKET_DIR" || vio4wd_fail "cannot chown $VIRTIOFWD_SOCKET_DIR"
    fi
    if [ -n "$VIRTIOFWD_SOCKET_GROUP" ]; then
        chgrp -- "$VIRTIOFWD_SOCKET_GROUP" "$VIRTIOFWD_SOCKET_DIR" || vio4wd_fail "cannot chgrp $VIRTIOFWD_SOCKET_DIR"
    fi
fi

# Upstream binds these devices to vfio-pci for DPDK. This daemon drives a VF through its kernel
# driver (AF_XDP or AF_PACKET), so binding it to vfio-pci would only take it away.
if [ -n "$VIRTIOFWD_BIND_VFIO_PCI" ]; then
    vio4wd_log "VIRTIOFWD_BIND_VFIO_PCI=$VIRTIOFWD_BIND_VFIO_PCI is ignored: VFs stay on their kernel driver"
fi

# A pid file left by a crash. Upstream's script removes "virtioforwarder.pid", a name the daemon
# never writes, so the stale file survived; the daemon's file is virtio-forwarder.pid (§9.3).
rm -f -- "$(vio4wd_pid_file)"
