using System.Diagnostics;
using VirtioForwarder.Platform;

namespace VirtioForwarder.BenchReport;

/// <summary>
/// How near the host placed two vCPUs (docs/bench/README.md, "Placement"): the round trip of one
/// cache line between a thread pinned on each. The pinger writes an odd number and spins until the
/// responder has answered with the next even one. Round trips are timed in batches; the value is
/// the median batch's mean, so a batch that a preemption stretched does not count.
/// </summary>
internal static class PlacementProbe
{
    private const int RoundTripsPerBatch = 64, WarmupBatches = 16, MinBatches = 64, MaxBatches = 4096;
    // A machine too busy for MinBatches within the budget gets this much longer at most.
    private static readonly TimeSpan Overtime = TimeSpan.FromSeconds(1);
    // The shared slot sits mid-array: its cache line holds nothing else anyone writes.
    private const int Slot = 16;
    private const long Stop = -1;

    /// <summary>
    /// Median round trip in ns between threads pinned on <paramref name="cpuA"/> and
    /// <paramref name="cpuB"/>, pinging for <paramref name="budget"/> (longer, up to a second more,
    /// until <see cref="MinBatches"/> batches are timed).
    /// </summary>
    public static double RoundTripNs(int cpuA, int cpuB, TimeSpan budget)
    {
        if (cpuA == cpuB) throw new ArgumentException("the probe needs two different CPUs");
        var line = new long[2 * Slot];
        List<double>? batches = null;
        Exception? error = null;
        using var responderPinned = new ManualResetEventSlim();
        var responder = new Thread(() =>
        {
            try { CpuAffinity.PinCurrentThread(cpuB); }
            catch (SystemCallException e) { error = e; return; }
            finally { responderPinned.Set(); }
            Answer(line);
        });
        var pinger = new Thread(() =>
        {
            try
            {
                CpuAffinity.PinCurrentThread(cpuA);
                batches = Ping(line, budget);
            }
            catch (SystemCallException e) { error = e; }
            finally { Volatile.Write(ref line[Slot], Stop); }
        });
        responder.Start();
        responderPinned.Wait();
        if (error is null)
        {
            pinger.Start();
            pinger.Join();
        }
        responder.Join();
        if (error is not null) throw error;
        if (batches is not { Count: > 0 }) throw new InvalidOperationException("no round trip was timed within the probe's budget");
        return Stats.Median(batches);
    }

    private static List<double> Ping(long[] line, TimeSpan budget)
    {
        var means = new List<double>(MaxBatches);
        long value = 0, began = Stopwatch.GetTimestamp();
        for (int b = 0; b < WarmupBatches + MaxBatches; b++)
        {
            var elapsed = Stopwatch.GetElapsedTime(began);
            if (elapsed > budget && (means.Count >= MinBatches || elapsed > budget + Overtime)) break;
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < RoundTripsPerBatch; i++)
            {
                Volatile.Write(ref line[Slot], ++value);
                ++value;
                while (Volatile.Read(ref line[Slot]) != value) { }
            }
            if (b >= WarmupBatches) means.Add(Stopwatch.GetElapsedTime(start).TotalNanoseconds / RoundTripsPerBatch);
        }
        return means;
    }

    private static void Answer(long[] line)
    {
        for (long expected = 1; ; expected += 2)
        {
            long seen;
            while ((seen = Volatile.Read(ref line[Slot])) != expected)
                if (seen == Stop) return;
            Volatile.Write(ref line[Slot], expected + 1);
        }
    }
}
