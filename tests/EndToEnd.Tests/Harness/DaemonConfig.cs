namespace VirtioForwarder.EndToEnd.Tests.Harness;

/// <summary>A host-side port of the daemon's -P option: <c>-P{Spec}={Relay}</c>.</summary>
public sealed record DaemonPort(string Spec, int Relay)
{
    /// <summary>A sink that counts the frames the VM sends (VM → port).</summary>
    public static DaemonPort NullSink(int relay) => new("null", relay);

    /// <summary>A sink that also sources frames of <paramref name="size"/> bytes toward the VM.</summary>
    public static DaemonPort NullSource(int relay, int size = 64) => new($"null:{size}", relay);

    /// <summary>A kernel tap the daemon creates in its own network namespace.</summary>
    public static DaemonPort Tap(int relay, string interfaceName) => new($"tap:{interfaceName}", relay);

    /// <summary>A PCI function's netdev (AF_XDP or AF_PACKET), looked up under <see cref="DaemonConfig.SysfsRoot"/>.</summary>
    public static DaemonPort Pci(int relay, string address) => new(address, relay);
}

/// <summary>
/// How the tests run the daemon: worker CPU 1 (unless <see cref="WorkerCpus"/> says otherwise), foreground,
/// info logging, every file (pid file, vhost-user sockets, control socket) in the test's work
/// folder, root keeping ownership of the sockets.
/// </summary>
public sealed record DaemonConfig(TestWorkDir WorkDir)
{
    public int MaxRelays { get; init; } = 1;

    /// <summary>-C: the worker CPUs. With both CPUs of a two-CPU machine, -M must name another (2).</summary>
    public string WorkerCpus { get; init; } = "1";

    /// <summary>-M: upstream's main lcore, never one of the worker CPUs.</summary>
    public int MainLcore { get; init; }

    /// <summary>BackendListens: the daemon listens (server mode). FrontendListens: it connects (-i).</summary>
    public VhostSocketRole Role { get; init; } = VhostSocketRole.BackendListens;

    public IReadOnlyList<DaemonPort> Ports { get; init; } = [];

    /// <summary>Further options, appended as given (e.g. <c>-Zipc://…</c> for the ZeroMQ services).</summary>
    public IReadOnlyList<string> ExtraArguments { get; init; } = [];

    /// <summary>The daemon's VIRTIOFWD_SYSFS_ROOT: a test's own tree of PCI functions; null for /sys.</summary>
    public string? SysfsRoot { get; init; }

    /// <summary>--port-driver (auto, xdp, packet); null leaves the daemon's default.</summary>
    public string? PortDriver { get; init; }

    /// <summary>Variables set for the daemon only, as NAME=value (e.g. VIRTIOFWD_IPC_FILE).</summary>
    public IReadOnlyList<string> Environment { get; init; } = [];

    /// <summary>
    /// Relays 0 to <paramref name="relays"/> − 1, each with a null sink, on workers on both CPUs of
    /// a two-CPU machine (-C0,1, -M2), as the placement and moving tests want them; then <paramref name="extraArguments"/>.
    /// </summary>
    public static DaemonConfig NullSinksOnTwoCpus(TestWorkDir workDir, int relays, IEnumerable<string> extraArguments) => new(workDir)
    {
        WorkerCpus = "0,1",
        MainLcore = 2,
        MaxRelays = relays,
        Ports = Enumerable.Range(0, relays).Select(DaemonPort.NullSink).ToArray(),
        ExtraArguments = [.. extraArguments],
    };

    /// <summary>Relay N's socket: the daemon's fixed template inside -V.</summary>
    public string SocketPath(int relay) => WorkDir.File($"virtio-forwarder{relay}.sock");

    public string ControlSocket => WorkDir.File("vfwd.ctl");

    public string PidFile => WorkDir.File("virtio-forwarder.pid");

    public IReadOnlyList<string> Arguments()
    {
        var arguments = new List<string>
        {
            $"-C{WorkerCpus}", $"-M{MainLcore}", "-n", "-l6", $"-p{WorkDir.Path}", $"-V{WorkDir.Path}",
            // -u and -g without a value: the sockets keep the daemon's own owner and group.
            "-u", "-g",
            $"--max-relays={MaxRelays}", $"--control-socket={ControlSocket}",
        };
        if (Role == VhostSocketRole.FrontendListens)
            arguments.Add("-i");
        if (PortDriver is not null)
            arguments.Add($"--port-driver={PortDriver}");
        arguments.AddRange(Ports.Select(port => $"-P{port.Spec}={port.Relay}"));
        arguments.AddRange(ExtraArguments);
        return arguments;
    }
}
