using VirtioForwarder.Daemon.Options;
using VirtioForwarder.Daemon.Tests.Options;

namespace VirtioForwarder.Daemon.Tests.Packaging;

/// <summary>
/// The packaged units as systemd sees them, without systemd running as PID 1 (the tests run in a
/// container): packaging/install with DESTDIR into a temporary root, <c>systemd-analyze verify
/// --root</c> on that tree, the settings the service relies on (contract §9.3), and the installed
/// start script fed as systemd feeds it, from the packaged /etc/default/virtioforwarder.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SystemdUnitTests : IDisposable
{
    private const string Analyze = "/usr/bin/systemd-analyze";
    private const string DaemonUnit = "virtio-forwarder.service";
    private const string SchedulerUnit = "vio4wd_core_scheduler.service";
    private const string LibDir = StagedInstall.LibDir;

    private readonly TempDirectory _temp = new();
    private readonly string _root;

    public SystemdUnitTests()
    {
        _root = Path.Combine(_temp.Path, "root");
        StagedInstall.Run(_temp, _root);
    }

    private string UnitDirectory => _root + StagedInstall.UnitDir;

    [Fact]
    public void SystemdVerifiesTheInstalledUnits()
    {
        Assert.True(File.Exists(Analyze), $"{Analyze} is missing: Debian's systemd package brings it (scripts/lib/setup.sh installs it)");
        // The units' default dependencies (sysinit.target, basic.target, ...) are systemd's own:
        // the host's targets join the staged units, since verify looks every name up under --root.
        foreach (string target in Directory.EnumerateFiles(StagedInstall.UnitDir, "*.target"))
            File.Copy(target, Path.Combine(UnitDirectory, Path.GetFileName(target)));
        ProgramResult verified = Verify();
        Assert.True(verified.ExitCode == 0 && verified.Stdout == "" && verified.Stderr == "", verified.ToString());

        // verify checks the Exec programs inside the root: without the pre-start script it fails.
        File.Delete($"{_root}{LibDir}/vio4wd-pre-start.sh");
        ProgramResult broken = Verify();
        Assert.NotEqual(0, broken.ExitCode);
        Assert.Contains($"{LibDir}/vio4wd-pre-start.sh is not executable", broken.Stderr);
    }

    [Fact]
    public void TheDaemonUnitWaitsForReadinessAndPreparesDirectoriesFirst()
    {
        string[] unit = Unit(DaemonUnit);
        Assert.Equal(["notify"], StagedInstall.Values(unit, "Type"));
        Assert.Equal([$"{LibDir}/vio4wd-pre-start.sh"], StagedInstall.Values(unit, "ExecStartPre"));
        Assert.Equal([$"{LibDir}/vio4wd-start.sh"], StagedInstall.Values(unit, "ExecStart"));
        Assert.Equal([$"{LibDir}/vio4wd-post-stop.sh"], StagedInstall.Values(unit, "ExecStopPost"));
        Assert.Equal([StagedInstall.ConfigFile], StagedInstall.Values(unit, "EnvironmentFile"));
        Assert.Equal(["multi-user.target"], StagedInstall.Values(unit, "WantedBy"));
    }

    [Fact]
    public void TheSchedulerUnitStartsAfterTheDaemonIsReady()
    {
        // With Type=notify on the daemon, After= means after its READY=1: the endpoints are open.
        string[] unit = Unit(SchedulerUnit);
        Assert.Equal([DaemonUnit], StagedInstall.Values(unit, "After"));
        Assert.Equal([$"{LibDir}/vio4wd-core-sched-start.sh"], StagedInstall.Values(unit, "ExecStart"));
        Assert.Equal([StagedInstall.ConfigFile], StagedInstall.Values(unit, "EnvironmentFile"));
        Assert.Equal(["multi-user.target"], StagedInstall.Values(unit, "WantedBy"));
    }

    [Fact]
    public void ThePackagedConfigGivesUpstreamsCommandLine()
    {
        Assert.Equal(StartScriptTests.ShippedCommandLine, StartAsSystemd());
    }

    [Fact]
    public void AnOperatorsArraysAndBlankVariablesReachTheDaemonAsUpstreamsScriptPassesThem()
    {
        // Edited as an operator edits it: later assignments win.
        File.AppendAllText(_root + StagedInstall.ConfigFile,
            "VIRTIOFWD_CPU_PINS=(0:1,2 '1:2;2:1')\nVIRTIOFWD_STATIC_VFS=(null=0 null:64=1)\n" +
            "VIRTIOFWD_SOCKET_OWNER=\nVIRTIOFWD_LOG_LEVEL=\nVIO4WD_CORE_SCHED_ENABLE=false\n");
        string[] args = StartAsSystemd();
        Assert.Equal(["-c0:1,2", "-c1:2;2:1"], args.Where(a => a.StartsWith("-c", StringComparison.Ordinal)));
        Assert.Equal(["-Pnull=0", "-Pnull:64=1"], args.Where(a => a.StartsWith("-P", StringComparison.Ordinal)));
        Assert.DoesNotContain(args, a => a.StartsWith("-u", StringComparison.Ordinal) || a.StartsWith("-l", StringComparison.Ordinal)
                                         || a.StartsWith("--zmq-core-sched-ep", StringComparison.Ordinal));

        ParseResult parsed = DaemonOptionsParser.Parse(args, new ParserEnvironment("/sys"));
        Assert.True(parsed.Outcome == ParseOutcome.Run, parsed.Message);
        DaemonOptions o = parsed.Options!;
        Assert.Equal([new StaticPort("null", 0), new StaticPort("null:64", 1)], o.StaticPorts);
        Assert.Equal([new RelayPin(0, 1, 2), new RelayPin(1, 2, 2), new RelayPin(2, 1, 1)], o.Pins);
        // Blank owner: the daemon's default, not the process's own user (§9.2).
        Assert.Equal(OwnerSpec.Named("libvirt-qemu"), o.SocketUser);
        Assert.Null(o.CoreSchedEndpoint);
    }

    private ProgramResult Verify() =>
        ProgramRun.Run(Analyze, ["verify", $"--root={_root}", DaemonUnit, SchedulerUnit], new Dictionary<string, string>());

    private string[] Unit(string name) => File.ReadAllLines(Path.Combine(UnitDirectory, name));

    /// <summary>
    /// Runs the installed ExecStart as systemd would: the environment of the unit's
    /// EnvironmentFile= (each line's text as is, so an array arrives as "(a b)") and Environment=,
    /// paths moved into the staging root. The installed daemon is a recorder: returns its arguments.
    /// </summary>
    private string[] StartAsSystemd()
    {
        string[] unit = Unit(DaemonUnit);
        var environment = EnvironmentFile(_root + Assert.Single(StagedInstall.Values(unit, "EnvironmentFile")));
        Assert.Equal([$"VIRTIOFWD_CONFIG_FILE={StagedInstall.ConfigFile}"], StagedInstall.Values(unit, "Environment"));
        environment["VIRTIOFWD_CONFIG_FILE"] = _root + StagedInstall.ConfigFile;
        ProgramResult result = ProgramRun.Run(_root + Assert.Single(StagedInstall.Values(unit, "ExecStart")), [], environment);
        Assert.True(result.ExitCode == 0, result.ToString());
        return ArgvRecorder.Read(result.Stdout);
    }

    /// <summary>NAME=value lines as systemd's EnvironmentFile= takes them; comments and blank lines skipped, outer quotes removed.</summary>
    private static Dictionary<string, string> EnvironmentFile(string path)
    {
        var environment = new Dictionary<string, string>();
        foreach (string line in File.ReadAllLines(path).Select(l => l.Trim()))
        {
            if (line.Length == 0 || line[0] is '#' or ';' || line.Split('=', 2) is not [var name, var value])
                continue;
            value = value.Trim();
            if (value.Length >= 2 && value[0] is '"' or '\'' && value[^1] == value[0])
                value = value[1..^1];
            environment[name.Trim()] = value;
        }
        return environment;
    }

    public void Dispose() => _temp.Dispose();
}
