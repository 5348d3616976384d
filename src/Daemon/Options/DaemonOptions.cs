using VirtioForwarder.Platform;
using VirtioForwarder.Ports;
using VirtioForwarder.Relay;

namespace VirtioForwarder.Daemon.Options;

/// <summary>Where VF add/remove requests come from (contract §8, rows -Z and -I; §8.4).</summary>
public enum PortControlSource { ZeroMq, FileIpc, Ovsdb }

/// <summary>
/// The daemon's validated command line (contract §8). Every property starts at upstream's default,
/// so <c>new DaemonOptions { WorkerCpus = ... }</c> is what a command line with only <c>-C</c> gives.
/// </summary>
public sealed record DaemonOptions
{
    public const string PidFileName = "virtio-forwarder.pid";
    public const string ControlSocketFileName = Control.Admin.AdminProtocol.FileName;
    public const string DefaultPidDirectory = "/var/run";
    public const string DefaultHugeDirectory = "/mnt/huge";
    public const string DefaultOvsdbSocket = "/usr/local/var/run/openvswitch/db.sock";
    public const string DefaultConfigEndpoint = "ipc:///var/run/virtio-forwarder/config";
    public const string DefaultPortControlEndpoint = "ipc:///var/run/virtio-forwarder/port_control";
    public const string DefaultStatsEndpoint = "ipc:///var/run/virtio-forwarder/stats";
    public const string DefaultCoreSchedEndpoint = "ipc:///var/run/virtio-forwarder/core_sched";
    public const string DefaultSocketUser = "libvirt-qemu";
    public const string DefaultSocketGroup = "kvm";
    public const string DefaultVhostPath = "/tmp";
    public const int DefaultMaxRelays = 64;
    public const int MaxRelaysLimit = 4096;

    /// <summary>Built-in token that <c>-t 0</c> selects (contract §8, row -t).</summary>
    public const string DefaultVfioVfToken = "14d63f20-8445-11ea-8900-1f9ce7d5650d";

    /// <summary><c>-C</c>: the worker CPUs; never empty once parsed.</summary>
    public CpuSet WorkerCpus { get; init; }

    /// <summary><c>-M</c>: upstream's DPDK main lcore.</summary>
    public int MainLcore { get; init; }

    /// <summary>False with <c>-n</c>: stay in the foreground.</summary>
    public bool Daemonize { get; init; } = true;

    /// <summary>False only with <c>-n</c> whose value is not <c>log_syslog</c>: log to stdout instead.</summary>
    public bool LogToSyslog { get; init; } = true;

    /// <summary><c>-l</c>, clamped to Debug.</summary>
    public LogLevel LogLevel { get; init; } = LogLevel.Info;

    /// <summary><c>-p</c>: directory of the pid file (checked to exist when given).</summary>
    public string PidDirectory { get; init; } = DefaultPidDirectory;

    /// <summary><c>-H</c>: accepted and checked like upstream; we do not use hugetlbfs ourselves.</summary>
    public string HugeDirectory { get; init; } = DefaultHugeDirectory;

    /// <summary><c>-O</c>.</summary>
    public string OvsdbSocket { get; init; } = DefaultOvsdbSocket;

    /// <summary><c>-Y</c>: the config service's endpoint, or null when the service is off.</summary>
    public string? ConfigEndpoint { get; init; }

    /// <summary><c>-Z</c>: the port-control service's endpoint, or null when it is off.</summary>
    public string? PortControlEndpoint { get; init; }

    /// <summary><c>-z</c>, or implied by <c>-s</c>: the stats service's endpoint, or null when it is off.</summary>
    public string? StatsEndpoint { get; init; }

    /// <summary><c>-s</c>: the core scheduler's endpoint, or null when it is off.</summary>
    public string? CoreSchedEndpoint { get; init; }

    /// <summary><c>-I</c>: file IPC, which only matters without <c>-Z</c>.</summary>
    public bool UseFileIpc { get; init; }

    /// <summary><c>-u</c>: absent = libvirt-qemu, present without a value = inherit (contract §9.2).</summary>
    public OwnerSpec SocketUser { get; init; } = OwnerSpec.Named(DefaultSocketUser);

    /// <summary><c>-g</c>: absent = kvm, present without a value = inherit (contract §9.2).</summary>
    public OwnerSpec SocketGroup { get; init; } = OwnerSpec.Named(DefaultSocketGroup);

    /// <summary><c>-V</c>: used verbatim, so a trailing '/' gives '//' in socket paths (contract §10.2).</summary>
    public string VhostPath { get; init; } = DefaultVhostPath;

    /// <summary><c>-S</c>.</summary>
    public SocketTemplate SocketTemplate { get; init; } = SocketTemplate.Default;

    /// <summary><c>-c</c>: at most one pin per relay (a later pin replaces an earlier one), sorted by relay.</summary>
    public IReadOnlyList<RelayPin> Pins { get; init; } = [];

    /// <summary><c>-P</c>: ports added at startup, in command-line order.</summary>
    public IReadOnlyList<StaticPort> StaticPorts { get; init; } = [];

    public bool Jumbo { get; init; }                // -J
    public bool MergeableRxBuffers { get; init; }   // -R
    public bool Tso { get; init; }                  // -T
    public bool VhostUserClient { get; init; }      // -i
    public bool ZeroCopy { get; init; }             // -0, accepted, no effect
    public bool DynamicSockets { get; init; }       // -d
    public bool SameNuma { get; init; }             // -a

    /// <summary><c>-t</c>: null = no token (option absent or empty); "0" has become the default token.</summary>
    public string? VfioVfToken { get; init; }

    /// <summary><c>--control-socket</c>: vfwdctl's admin socket.</summary>
    public string ControlSocket { get; init; } = DefaultPidDirectory + "/" + ControlSocketFileName;

    /// <summary><c>--max-relays</c>: relay ids are 0 .. MaxRelays-1.</summary>
    public int MaxRelays { get; init; } = DefaultMaxRelays;

    public PortDriver PortDriver { get; init; } = PortDriver.Auto;
    public PollMode Poll { get; init; } = PollMode.Adaptive;

    /// <summary>Upstream's plain concatenation <c>dir + "/" + name</c>.</summary>
    public string PidFilePath => PidDirectory + "/" + PidFileName;

    /// <summary>-Z replaces both other sources; -I beats OVSDB (contract §8, rows -Z and -I).</summary>
    public PortControlSource PortControlSource =>
        PortControlEndpoint is not null ? PortControlSource.ZeroMq
        : UseFileIpc ? PortControlSource.FileIpc
        : PortControlSource.Ovsdb;

    /// <summary>The static socket path of <paramref name="relay"/>.</summary>
    public string SocketPath(int relay) => SocketTemplate.PathFor(VhostPath, relay);

    /// <summary>The relay whose static socket is exactly <paramref name="path"/>, or null.</summary>
    public int? RelayForSocketPath(string path) => SocketTemplate.RelayFromPath(VhostPath, path, MaxRelays);

    /// <summary>The <c>-c</c> pin of <paramref name="relay"/>, or null when it has none.</summary>
    public RelayPin? PinFor(int relay) => Pins.FirstOrDefault(p => p.Relay == relay);
}
