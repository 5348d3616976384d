using System.Diagnostics;
using System.Text.RegularExpressions;

namespace VirtioForwarder.EndToEnd.Tests.Harness;

/// <summary>
/// The daemon under test (out/bin/virtio-forwarder, built by ./build), in the foreground with its
/// log on stdout. <see cref="Start"/> returns once it reports its sockets are up.
/// </summary>
public sealed partial class DaemonProcess : IDisposable
{
    /// <summary>How long a SIGTERM may take: the daemon promises an exit within a few seconds.</summary>
    public static readonly TimeSpan ShutdownLimit = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan StatsPollInterval = TimeSpan.FromMilliseconds(200);

    private DaemonProcess(DaemonConfig config, ManagedProcess process)
    {
        Config = config;
        Process = process;
    }

    public DaemonConfig Config { get; }

    public ManagedProcess Process { get; }

    /// <summary>
    /// Starts the daemon as <paramref name="config"/> says, inside <paramref name="netns"/> if
    /// given (its tap ports then live there), logging to NAME.log, and waits for
    /// "virtio-forwarder ready".
    /// </summary>
    public static DaemonProcess Start(DaemonConfig config, NetNamespace? netns = null, string name = "daemon")
    {
        var environment = config.SysfsRoot is null ? config.Environment : [.. config.Environment, $"VIRTIOFWD_SYSFS_ROOT={config.SysfsRoot}"];
        var command = new CommandLine(ProductPaths.Daemon, config.Arguments()).WithEnvironment(environment);
        if (netns is not null)
            command = command.InNamespace(netns);
        var daemon = new DaemonProcess(config, ManagedProcess.Start(command, config.WorkDir.File($"{name}.log")));
        try
        {
            daemon.Process.WaitForOutput(ReadyLine(), ReadyTimeout);
        }
        catch
        {
            daemon.Dispose();
            throw;
        }
        return daemon;
    }

    public DaemonStats Stats() => DaemonStats.Read(Config.ControlSocket);

    /// <summary>Polls the stats until <paramref name="condition"/> holds; throws, with both, on timeout.</summary>
    public DaemonStats WaitForStats(Func<DaemonStats, bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (Process.HasExited)
                throw new InvalidOperationException($"daemon exited ({Process.ExitCode}) while waiting for {what}; {Process.LogTail()}");
            var stats = Stats();
            if (condition(stats))
                return stats;
            if (DateTime.UtcNow >= deadline)
                throw new TimeoutException($"no {what} within {timeout}: {stats}; {Process.LogTail()}");
            Thread.Sleep(StatsPollInterval);
        }
    }

    /// <summary>
    /// Stops the daemon with SIGTERM and asserts a clean shutdown: exit status 0 within
    /// <see cref="ShutdownLimit"/>. Returns how long it took.
    /// </summary>
    public TimeSpan StopAndAssertCleanExit()
    {
        var clock = Stopwatch.StartNew();
        // The grace is the limit itself: a daemon that needs longer gets SIGKILL and fails on its status.
        var exitCode = Process.Stop(NativeSignals.SigTerm, ShutdownLimit);
        var took = clock.Elapsed;
        Assert.True(exitCode == 0, $"daemon exited {exitCode} on SIGTERM after {took}; {Process.LogTail()}");
        Assert.True(took < ShutdownLimit, $"daemon took {took} to stop; {Process.LogTail()}");
        return took;
    }

    public void Dispose()
    {
        Process.Stop(NativeSignals.SigTerm, ShutdownLimit);
        Process.Dispose();
    }

    [GeneratedRegex("virtio-forwarder ready")]
    private static partial Regex ReadyLine();
}
