namespace VirtioForwarder.EndToEnd.Tests.Harness;

/// <summary>
/// A running dpdk-testpmd (<see cref="VirtioUserFrontend"/> or <see cref="VhostBackend"/>) with
/// its own EAL --file-prefix, whose runtime files it removes once the process is gone.
/// </summary>
public sealed class TestpmdProcess : IDisposable
{
    private TestpmdProcess(ManagedProcess process, string filePrefix)
    {
        Process = process;
        FilePrefix = filePrefix;
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
        return new TestpmdProcess(ManagedProcess.Start(command, workDir.File($"{name}.log")), filePrefix);
    }

    /// <summary>The samples (and, once stopped, the totals) logged so far.</summary>
    public TestpmdStats Stats() => TestpmdStats.Parse(Process.LogText);

    /// <summary>Stops testpmd with SIGINT (it prints its forward totals), cleans up, returns the stats.</summary>
    public TestpmdStats Stop()
    {
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
}
