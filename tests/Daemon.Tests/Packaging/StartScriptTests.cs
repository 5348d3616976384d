using VirtioForwarder.Daemon.Options;
using VirtioForwarder.Platform;
using VirtioForwarder.Ports;
using VirtioForwarder.Relay;

namespace VirtioForwarder.Daemon.Tests.Packaging;

/// <summary>The config file → daemon command line rules of contract §9.1 and §9.2.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class StartScriptTests : StartScriptTestBase
{
    private const string Endpoints = "ipc:///var/run/virtio-forwarder/";

    /// <summary>What the shipped config file gives: upstream's packaged command line (§9.2 shipped defaults).</summary>
    public static readonly string[] ShippedCommandLine =
    [
        "-C1,2", "--nodaemon=log_syslog", "-l6", "-p/var/run", "-H/dev/hugepages",
        $"--zmq-port-control-ep={Endpoints}port_control", $"--zmq-stats-ep={Endpoints}stats",
        $"--zmq-core-sched-ep={Endpoints}core_sched", "--ipc", "--vhost-path=/tmp/virtio-forwarder",
        "-J", "--enable-mrgbuf", "--vhostuser-client",
    ];

    [Fact]
    public void ShippedDefaultsGiveUpstreamsCommandLine()
    {
        Assert.Equal(ShippedCommandLine, StartArgs());
    }

    [Fact]
    public void ShippedDefaultsParse()
    {
        DaemonOptions o = StartOptions();
        Assert.Equal(CpuSet.Of(1, 2), o.WorkerCpus);
        Assert.False(o.Daemonize);
        Assert.True(o.LogToSyslog);
        Assert.Equal(LogLevel.Info, o.LogLevel);
        Assert.Equal("/var/run", o.PidDirectory);
        Assert.Equal("/dev/hugepages", o.HugeDirectory);
        Assert.Null(o.ConfigEndpoint);
        Assert.Equal(DaemonOptions.DefaultPortControlEndpoint, o.PortControlEndpoint);
        Assert.Equal(DaemonOptions.DefaultStatsEndpoint, o.StatsEndpoint);
        Assert.Equal(DaemonOptions.DefaultCoreSchedEndpoint, o.CoreSchedEndpoint);
        Assert.Equal(PortControlSource.ZeroMq, o.PortControlSource);
        Assert.Equal("/tmp/virtio-forwarder", o.VhostPath);
        Assert.True(o.Jumbo && o.MergeableRxBuffers && o.VhostUserClient);
        Assert.False(o.Tso || o.ZeroCopy || o.DynamicSockets || o.SameNuma);
        Assert.Empty(o.Pins);
        Assert.Empty(o.StaticPorts);
        Assert.Null(o.VfioVfToken);
    }

    [Fact]
    public void ArraysGiveOneOptionPerElement()
    {
        string[] args = StartArgs($"VIRTIOFWD_STATIC_VFS=({Pci}=1 null=2 tap:vfwd0=3)", "VIRTIOFWD_CPU_PINS=(0:1,2 '1:2;2:1')");
        Assert.Equal(["-c0:1,2", "-c1:2;2:1"], args.Where(a => a.StartsWith("-c", StringComparison.Ordinal)));
        Assert.Equal([$"-P{Pci}=1", "-Pnull=2", "-Ptap:vfwd0=3"], args.Where(a => a.StartsWith("-P", StringComparison.Ordinal)));

        DaemonOptions o = Parse(args).Options!;
        Assert.Equal([new StaticPort(Pci, 1), new StaticPort("null", 2), new StaticPort("tap:vfwd0", 3)], o.StaticPorts);
        Assert.Equal([new RelayPin(0, 1, 2), new RelayPin(1, 2, 2), new RelayPin(2, 1, 1)], o.Pins);
    }

    [Fact]
    public void ArraySurvivesSystemdHavingExportedItAsText()
    {
        // EnvironmentFile= hands the script the raw text "(a b)"; sourcing the file turns it back into an array.
        string[] args = RunStartArgs([$"VIRTIOFWD_STATIC_VFS=({Pci}=1 null=2)"], $"VIRTIOFWD_STATIC_VFS=({Pci}=1 null=2)");
        Assert.Equal([$"-P{Pci}=1", "-Pnull=2"], args.Where(a => a.StartsWith("-P", StringComparison.Ordinal)));
    }

    [Fact]
    public void ScalarsGiveOneOption()
    {
        string[] args = StartArgs($"VIRTIOFWD_STATIC_VFS={Pci}=1", "VIRTIOFWD_CPU_PINS='0:1;1:2,1'");
        Assert.Single(args, $"-P{Pci}=1");
        Assert.Single(args, "-c0:1;1:2,1");
        DaemonOptions o = Parse(args).Options!;
        Assert.Equal([new StaticPort(Pci, 1)], o.StaticPorts);
        Assert.Equal([new RelayPin(0, 1, 1), new RelayPin(1, 2, 1)], o.Pins);
    }

    [Fact]
    public void OnlyElementZeroDecidesWhetherAListCounts()
    {
        Assert.DoesNotContain(StartArgs("VIRTIOFWD_STATIC_VFS=('' null=2)"), a => a.StartsWith("-P", StringComparison.Ordinal));
    }

    [Fact]
    public void ScalarWithSpacesSplitsIntoAStrayArgument()
    {
        string[] args = StartArgs("VIRTIOFWD_STATIC_VFS='null=1 null=2'");
        Assert.Equal(["-Pnull=1", "null=2"], args[^2..]);
        ParseResult parsed = Parse(args);
        Assert.Equal(ParseOutcome.Fail, parsed.Outcome);
        Assert.Equal("Unhandled extra option 'null=2'", parsed.Message);
    }

    [Fact]
    public void ArrayElementWithSpacesSplitsToo()
    {
        Assert.Equal(["-Pnull=1", "null=2"], StartArgs("VIRTIOFWD_STATIC_VFS=('null=1 null=2')")[^2..]);
    }

    [Fact]
    public void ListValuesAreNotGlobbed()
    {
        File.WriteAllText(Path.Combine(WorkingDirectory, "-Pnull=1"), "");
        Assert.Equal("-Pnull=*", StartArgs("VIRTIOFWD_STATIC_VFS='null=*'")[^1]);
    }

    [Fact]
    public void TheRealDaemonRejectsTheSplitWithUsage()
    {
        string[] args = StartArgs("VIRTIOFWD_STATIC_VFS='null=1 null=2'", $"VIRTIOFWD_PID_DIR={PidDirectory}", $"VIRTIOFWD_HUGETLBFS_MOUNT_POINT={PidDirectory}");
        ProgramResult daemon = ProgramRun.Run(RepositoryPaths.PublishedDaemon(), args, new Dictionary<string, string>());
        Assert.Equal(1, daemon.ExitCode);
        Assert.StartsWith("Unhandled extra option 'null=2'\nUSAGE: virtio-forwarder", daemon.Stderr);
    }

    [Fact]
    public void BlankOwnerAndGroupLeaveTheDaemonsDefaults()
    {
        string[] args = StartArgs();
        Assert.DoesNotContain(args, a => a.StartsWith("-u", StringComparison.Ordinal) || a.StartsWith("-g", StringComparison.Ordinal));
        DaemonOptions o = Parse(args).Options!;
        Assert.Equal(OwnerSpec.Named("libvirt-qemu"), o.SocketUser);
        Assert.Equal(OwnerSpec.Named("kvm"), o.SocketGroup);
    }

    [Fact]
    public void OwnerAndGroupAreGlued()
    {
        DaemonOptions o = StartOptions("VIRTIOFWD_SOCKET_OWNER=qemu", "VIRTIOFWD_SOCKET_GROUP=hugetlb");
        Assert.Equal(OwnerSpec.Named("qemu"), o.SocketUser);
        Assert.Equal(OwnerSpec.Named("hugetlb"), o.SocketGroup);
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("True", false)]
    [InlineData("yes", false)]
    [InlineData("1", false)]
    [InlineData("' true'", false)]
    [InlineData("", false)]
    public void CoreSchedulerEndpointOnlyForExactlyTrue(string enable, bool opened)
    {
        string[] args = StartArgs($"VIO4WD_CORE_SCHED_ENABLE={enable}");
        Assert.Equal(opened, args.Contains($"--zmq-core-sched-ep={Endpoints}core_sched"));
        Assert.Equal(opened ? DaemonOptions.DefaultCoreSchedEndpoint : null, Parse(args).Options!.CoreSchedEndpoint);
    }

    [Theory]
    [InlineData("", null, null)]
    [InlineData("0", "--vfio-vf-token=0", DaemonOptions.DefaultVfioVfToken)]
    [InlineData("5a0e1f2c-1111-4222-8333-944455556666", "--vfio-vf-token=5a0e1f2c-1111-4222-8333-944455556666", "5a0e1f2c-1111-4222-8333-944455556666")]
    public void VfioToken(string setting, string? flag, string? token)
    {
        string[] args = StartArgs($"VIRTIOFWD_VFIO_VF_TOKEN={setting}");
        Assert.Equal(flag, args.SingleOrDefault(a => a.StartsWith("--vfio-vf-token", StringComparison.Ordinal)));
        Assert.Equal(token, Parse(args).Options!.VfioVfToken);
    }

    [Fact]
    public void EverySettingReachesTheDaemon()
    {
        string control = Path.Combine(PidDirectory, "admin.ctl");
        DaemonOptions o = StartOptions(
            "VIRTIOFWD_CPU_MASK=0x6", "VIRTIOFWD_LOG_LEVEL=7", "VIRTIOFWD_MASTER_LCORE=0",
            $"VIRTIOFWD_PID_DIR={PidDirectory}", $"VIRTIOFWD_HUGETLBFS_MOUNT_POINT={PidDirectory}",
            "VIRTIOFWD_OVSDB_SOCK_PATH=/run/ovs/db.sock", "VIRTIOFWD_ZMQ_CONFIG_EP=tcp://127.0.0.1:5001",
            "VIRTIOFWD_ZMQ_PORT_CONTROL_EP=", "VIRTIOFWD_SOCKET_DIR=/run/vfwd", "VIRTIOFWD_SOCKET_FNAME_PATTERN=vm%u.sock",
            "VIRTIOFWD_TSO=y", "VIRTIOFWD_JUMBO=", "VIRTIOFWD_MRGBUF=", "VIRTIOFWD_VHOST_CLIENT=", "VIRTIOFWD_ZERO_COPY=y",
            "VIRTIOFWD_DYNAMIC_SOCKETS=y", "VIRTIOFWD_CPU_NIC_SAME_NUMA=y",
            $"VIRTIOFWD_CONTROL_SOCKET={control}", "VIRTIOFWD_MAX_RELAYS=8", "VIRTIOFWD_PORT_DRIVER=packet", "VIRTIOFWD_POLL=busy");
        Assert.Equal(CpuSet.Of(1, 2), o.WorkerCpus);
        Assert.Equal(LogLevel.Debug, o.LogLevel);
        Assert.Equal(PidDirectory, o.PidDirectory);
        Assert.Equal("/run/ovs/db.sock", o.OvsdbSocket);
        Assert.Equal("tcp://127.0.0.1:5001", o.ConfigEndpoint);
        Assert.Equal(PortControlSource.FileIpc, o.PortControlSource);
        Assert.Equal("/run/vfwd/vm3.sock", o.SocketPath(3));
        Assert.True(o.Tso && o.ZeroCopy && o.DynamicSockets && o.SameNuma);
        Assert.False(o.Jumbo || o.MergeableRxBuffers || o.VhostUserClient);
        Assert.Equal(control, o.ControlSocket);
        Assert.Equal(8, o.MaxRelays);
        Assert.Equal(PortDriver.Packet, o.PortDriver);
        Assert.Equal(PollMode.Busy, o.Poll);
    }

    [Fact]
    public void EmptyCpuMaskStopsBeforeTheDaemon()
    {
        ProgramResult result = RunStart(["VIRTIOFWD_CPU_MASK="]);
        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.Stdout);
        Assert.Contains("VIRTIOFWD_CPU_MASK is not set", result.Stderr);
    }

    [Fact]
    public void MissingConfigFileStops()
    {
        ProgramResult result = ProgramRun.Run(RepositoryPaths.Script("vio4wd-start.sh"), [],
            new Dictionary<string, string> { ["VIRTIOFWD_CONFIG_FILE"] = Path.Combine(PidDirectory, "absent") });
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("cannot read the configuration", result.Stderr);
    }

    private string[] RunStartArgs(string[] overrides, params string[] environment)
    {
        ProgramResult result = RunStart(overrides, environment);
        Assert.True(result.ExitCode == 0, result.ToString());
        return ArgvRecorder.Read(result.Stdout);
    }
}
