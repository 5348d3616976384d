using System.Text.RegularExpressions;

namespace VirtioForwarder.EndToEnd.Tests.Harness;

/// <summary>
/// The daemon under test (out/bin/virtio-forwarder, built by ./build), in the foreground (-n)
/// with its log on stdout. <see cref="Start"/> returns once it reports its sockets are up.
/// </summary>
public sealed partial class DaemonProcess : IDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(10);

    private DaemonProcess(ManagedProcess process) => Process = process;

    public static string ExecutablePath => Path.Combine(RepositoryRoot(), "out", "bin", "virtio-forwarder");

    public ManagedProcess Process { get; }

    /// <summary>
    /// Starts the daemon with -n and <paramref name="arguments"/>, inside <paramref name="netns"/>
    /// if given (its kernel-netdev ports then live there), and waits for "virtio-forwarder ready".
    /// </summary>
    public static DaemonProcess Start(TestWorkDir workDir, NetNamespace? netns, params string[] arguments)
    {
        var command = new CommandLine(ExecutablePath, ["-n", .. arguments]);
        if (netns is not null)
            command = command.InNamespace(netns);
        var daemon = new DaemonProcess(ManagedProcess.Start(command, workDir.File("daemon.log")));
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

    /// <summary>Stops the daemon with SIGTERM and asserts that it shut down cleanly (exit status 0).</summary>
    public void StopAndAssertCleanExit()
    {
        var exitCode = Process.Stop(NativeSignals.SigTerm, ShutdownGrace);
        Assert.True(exitCode == 0, $"daemon exited {exitCode} on SIGTERM; {Process.LogTail()}");
    }

    public void Dispose()
    {
        Process.Stop(NativeSignals.SigTerm, ShutdownGrace);
        Process.Dispose();
    }

    // The test assembly runs from tests/EndToEnd.Tests/bin/<configuration>/<framework>/.
    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Directory.Build.props")))
                return dir.FullName;
        throw new InvalidOperationException($"no Directory.Build.props above {AppContext.BaseDirectory}");
    }

    [GeneratedRegex("virtio-forwarder ready")]
    private static partial Regex ReadyLine();
}
