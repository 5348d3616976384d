using System.Text.RegularExpressions;

namespace VirtioForwarder.EndToEnd.Tests.Harness;

/// <summary>
/// A running dpdk-testpmd (<see cref="VirtioUserFrontend"/> or <see cref="VhostBackend"/>) with
/// its own EAL --file-prefix, whose runtime files it removes once the process is gone.
/// </summary>
public sealed partial class TestpmdProcess : IDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(10);

    private readonly bool _interactive;

    private TestpmdProcess(ManagedProcess process, string filePrefix, bool interactive)
    {
        Process = process;
        FilePrefix = filePrefix;
        _interactive = interactive;
    }

    public ManagedProcess Process { get; }

    public string FilePrefix { get; }

    /// <summary>
    /// Starts testpmd, inside <paramref name="netns"/> if given (where net_tap then creates its
    /// tap). With a listening role, wait for the socket with <see cref="SocketFile.WaitFor"/>.
    /// </summary>
    public static TestpmdProcess Start(TestpmdConfig config, TestWorkDir workDir, NetNamespace? netns = null, string name = "testpmd")
    {
        var filePrefix = UniqueName.New(name);
        var command = config.ToCommandLine(filePrefix);
        if (netns is not null)
            command = command.InNamespace(netns);
        var process = ManagedProcess.Start(command, workDir.File($"{name}.log"), keepStdinOpen: config.Interactive);
        return new TestpmdProcess(process, filePrefix, config.Interactive);
    }

    /// <summary>Interactive testpmd: "start". It reads the command once its EAL and ports are up.</summary>
    public void StartForwarding() => Process.WriteLine("start");

    /// <summary>Interactive testpmd: "stop", which prints the forward totals; the ports stay up.</summary>
    public TestpmdStats StopForwarding()
    {
        var from = Process.LineCount;
        Process.WriteLine("stop");
        Process.WaitForOutput(AccumulatedTotalsEnd(), CommandTimeout, from);
        return Stats();
    }

    /// <summary>The samples (and, once stopped, the totals) logged so far.</summary>
    public TestpmdStats Stats() => TestpmdStats.Parse(Process.LogText);

    /// <summary>Stops testpmd with SIGINT (it prints its forward totals), cleans up, returns the stats.</summary>
    public TestpmdStats Stop()
    {
        // "quit" closes the ports cleanly; signals remain the fallback.
        if (_interactive && !Process.HasExited)
        {
            Process.WriteLine("quit");
            Process.WaitForExit(CommandTimeout);
        }
        Process.Stop(NativeSignals.SigInt);
        RemoveRuntimeFiles();
        return Stats();
    }

    public void Dispose()
    {
        Process.Dispose();
        RemoveRuntimeFiles();
    }

    /// <summary>
    /// EAL leaves /var/run/dpdk/PREFIX behind, and, after SIGINT (which testpmd re-raises) or a
    /// kill, its /dev/hugepages/PREFIXmap_* files, which keep the hugepages allocated.
    /// </summary>
    private void RemoveRuntimeFiles()
    {
        var runtimeDir = Path.Combine("/var/run/dpdk", FilePrefix);
        if (Directory.Exists(runtimeDir))
            Directory.Delete(runtimeDir, recursive: true);
        if (Directory.Exists("/dev/hugepages"))
            foreach (var file in Directory.GetFiles("/dev/hugepages", FilePrefix + "map_*"))
                File.Delete(file);
    }

    // The line that closes the "Accumulated forward statistics" block.
    [GeneratedRegex(@"^\s*\+{20,}\s*$")]
    private static partial Regex AccumulatedTotalsEnd();
}
