using VirtioForwarder.EndToEnd.Tests.Harness;
using Xunit.Abstractions;

namespace VirtioForwarder.EndToEnd.Tests.Daemon;

/// <summary>
/// Upstream's worker model (contract §10.5): one worker thread per worker CPU, shared by every
/// relay direction placed there, each pinned to the CPU the stats report for it.
/// </summary>
public sealed class WorkerPlacementTests(ITestOutputHelper output)
{
    private const int Relays = 64;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public void SixtyFourRelaysOnTwoCpusRunTwoPinnedWorkers()
    {
        using var workDir = new TestWorkDir();
        var config = DaemonConfig.NullSinksOnTwoCpus(workDir, Relays, []);
        using var rig = DaemonWithFrontends.Start(config, new FrontendOnRelay(0, ForwardMode.TxOnly));
        var stats = rig.Daemon.WaitForStats(
            s => s.Relays.All(r => r.VfToVmThread > 0) && s.Relay(0).VmToVfThread > 0, Timeout, "every direction placed");

        var workers = WorkerThreads(rig.Daemon.Process.Pid);
        output.WriteLine(string.Join(", ", workers.Select(w => $"{w.Key}: {w.Value}")));
        Assert.Equal(2, workers.Count);
        Assert.Equal(["0", "1"], workers.Values.Order());

        var relay0 = stats.Relay(0);
        Assert.Equal("VIRTIO_READY", relay0.VmState);
        Assert.Equal("DPDK_READY", relay0.PortState);
        Assert.Equal("DPDK_ADDED", stats.Relay(1).PortState);
        // Every reported (thread, CPU) pair is one of the two workers, pinned to that CPU.
        var reported = stats.Relays.Select(r => (Thread: r.VfToVmThread!.Value, Cpu: r.VfToVmCpu!.Value))
            .Append((relay0.VmToVfThread!.Value, relay0.VmToVfCpu!.Value)).Distinct().ToArray();
        Assert.Equal(2, reported.Length);
        foreach (var (thread, cpu) in reported)
            Assert.Equal(cpu.ToString(), Affinity(rig.Daemon.Process.Pid, thread));
        // 64 VF→VM (12 points) and one VM→VF (10 points): the least-loaded rule splits them evenly.
        Assert.Equal(32, stats.Relays.Count(r => r.VfToVmCpu == 0));

        // Each worker reports where its time went; the one taking the frontend's frames was busy.
        stats = rig.Daemon.WaitForStats(s => s.Workers.Any(w => w.Cpu == relay0.VmToVfCpu && w.BusyNs > 0), Timeout, "a busy worker");
        output.WriteLine(string.Join(", ", stats.Workers));
        Assert.Equal([0, 1], stats.Workers.Select(w => w.Cpu).Order());
        Assert.All(stats.Workers, w => Assert.True(w.Passes > 0 && w.BusyNs + w.IdleNs + w.SleepNs > 0, w.ToString()));
    }

    /// <summary>The daemon's worker threads (named worker-cpuN) and the CPUs each may run on.</summary>
    public static Dictionary<int, string> WorkerThreads(int pid) =>
        Directory.EnumerateDirectories($"/proc/{pid}/task")
            .Select(dir => int.Parse(Path.GetFileName(dir)))
            .Where(tid => File.ReadAllText($"/proc/{pid}/task/{tid}/comm").StartsWith("worker-cpu", StringComparison.Ordinal))
            .ToDictionary(tid => tid, tid => Affinity(pid, tid));

    /// <summary>Cpus_allowed_list of one thread, e.g. "1".</summary>
    public static string Affinity(int pid, int tid) =>
        File.ReadLines($"/proc/{pid}/task/{tid}/status")
            .Single(line => line.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal)).Split(':')[1].Trim();
}
