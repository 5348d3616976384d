using static VirtioForwarder.Daemon.Options.ArgumentKind;
using D = VirtioForwarder.Daemon.Options.DaemonOptions;

namespace VirtioForwarder.Daemon.Options;

/// <summary>
/// The daemon's options: upstream's table in upstream's order (contract §8), then our long-only
/// extensions. The order is also the order of the usage text.
/// </summary>
public static class DaemonOptionTable
{
    public static IReadOnlyList<OptionSpec> All { get; } =
    [
        new(OptionId.Cpus, 'C', "cpus", Required,
            "CPUs to use for worker threads: a comma separated list of CPU numbers, or a hex bitmap starting with 0x",
            IsMandatory: true),
        new(OptionId.MasterLcore, 'M', "master-lcore", Required, "Main lcore (default: 0)"),
        new(OptionId.NoDaemon, 'n', "nodaemon", Optional,
            "Do not daemonize; log to the console unless the value is 'log_syslog' (default: run as a daemon, log to syslog)"),
        new(OptionId.LogLevel, 'l', "loglevel", Required, "Log threshold 0-7, least to most verbose (default: 6)"),
        new(OptionId.PidPath, 'p', "pid-path", Required,
            $"Existing directory for the PID file ({D.PidFileName}) (default: {D.DefaultPidDirectory})"),
        new(OptionId.HugeDir, 'H', "huge-dir", Required,
            $"Existing hugepage mount directory; accepted for compatibility, unused (default: {D.DefaultHugeDirectory})"),
        new(OptionId.OvsdbSock, 'O', "ovsdb-sock", Required, $"OVSDB unix socket (default: {D.DefaultOvsdbSocket})"),
        new(OptionId.ZmqConfigEp, 'Y', "zmq-config-ep", Optional,
            $"Serve configuration queries over ZeroMQ on this endpoint (default: {D.DefaultConfigEndpoint})"),
        new(OptionId.ZmqPortControlEp, 'Z', "zmq-port-control-ep", Optional,
            $"Accept port add/remove requests over ZeroMQ on this endpoint, instead of OVSDB or file IPC (default: {D.DefaultPortControlEndpoint})"),
        new(OptionId.ZmqStatsEp, 'z', "zmq-stats-ep", Optional,
            $"Serve relay statistics over ZeroMQ on this endpoint (default: {D.DefaultStatsEndpoint})"),
        new(OptionId.ZmqCoreSchedEp, 's', "zmq-core-sched-ep", Optional,
            $"Accept CPU migration requests over ZeroMQ on this endpoint; also enables statistics (default: {D.DefaultCoreSchedEndpoint})"),
        new(OptionId.Ipc, 'I', "ipc", None, "Take port add/remove requests from /tmp/vio_cmd instead of OVSDB"),
        new(OptionId.VhostUsername, 'u', "vhost-username", Optional,
            $"Owner of the vhost-user sockets; without a value, the process's user (default: {D.DefaultSocketUser})"),
        new(OptionId.VhostGroupname, 'g', "vhost-groupname", Optional,
            $"Group of the vhost-user sockets; without a value, the process's group (default: {D.DefaultSocketGroup})"),
        new(OptionId.VhostPath, 'V', "vhost-path", Required, $"Directory of the vhost-user sockets (default: {D.DefaultVhostPath})"),
        new(OptionId.VhostSocket, 'S', "vhost-socket", Required,
            "vhost-user socket file name, with exactly one %u standing for the virtio id (default: virtio-forwarder%u.sock)"),
        new(OptionId.VirtioCpu, 'c', "virtio-cpu", Required,
            "Semicolon separated '<virtio>:<cpu>[,<cpu>]' items: the CPU for VF to VM, and optionally another for VM to VF. Repeatable."),
        new(OptionId.EnableJumbo, 'J', "enable-jumbo", None, "Enable jumbo frames"),
        new(OptionId.EnableMrgbuf, 'R', "enable-mrgbuf", None, "Enable virtio RX buffer merging"),
        new(OptionId.AddPciVf, 'P', "add-pci-vf", Required,
            "Attach a port to a relay at startup: <PCI>=<virtio_id>, e.g. 0000:05:08.1=1; null, null:<size>[/<queues>] or tap:<ifname> may stand in for <PCI>. Repeatable."),
        new(OptionId.VfioVfToken, 't', "vfio-vf-token", Required,
            "VFIO VF token; empty for none, 0 for the built-in default (default: none)"),
        new(OptionId.VhostuserClient, 'i', "vhostuser-client", None, "Connect to the vhost-user sockets as a client (default: server)"),
        new(OptionId.ZeroCopy, '0', "zero-copy", None, "Accepted for compatibility; no effect"),
        new(OptionId.EnableTso, 'T', "enable-tso", None, "Enable TCP segmentation offload (default: disabled)"),
        new(OptionId.DynamicSockets, 'd', "dynamic-sockets", None,
            "Create no sockets at startup; they are added through port control (default: disabled)"),
        new(OptionId.SameNuma, 'a', "same-numa", None, "Reserve memory only on NUMA nodes that have workers (default: disabled)"),
        new(OptionId.Version, 'v', "version", None, "Show the version and exit"),
        new(OptionId.ControlSocket, null, "control-socket", Required,
            $"Local admin socket for vfwdctl (default: <pid-path>/{D.ControlSocketFileName})", IsExtension: true),
        new(OptionId.MaxRelays, null, "max-relays", Required,
            $"Number of relays, 1-{D.MaxRelaysLimit} (default: {D.DefaultMaxRelays})", IsExtension: true),
        new(OptionId.PortDriver, null, "port-driver", Required,
            "Host port driver: auto, xdp or packet (default: auto)", IsExtension: true),
        new(OptionId.Poll, null, "poll", Required,
            "Worker polling: adaptive or busy (default: adaptive)", IsExtension: true),
    ];
}
