using System.Diagnostics;

namespace VirtioForwarder.Ports.Bond.Lacp;

/// <summary>The protocol's timer constants (802.1AX-2008 §5.4.4) in <see cref="Stopwatch"/> ticks, the clock the machines run on.</summary>
public static class LacpTimes
{
    public static readonly long FastPeriodic = Seconds(1);
    public static readonly long SlowPeriodic = Seconds(30);
    public static readonly long ShortTimeout = Seconds(3);
    public static readonly long LongTimeout = Seconds(90);
    /// <summary>How long a selected link waits before attaching, so links coming up together join at once.</summary>
    public static readonly long AggregateWait = Seconds(2);

    /// <summary>At most this many LACPDUs per <see cref="FastPeriodic"/> on one link (§5.4.16).</summary>
    public const int MaxTransmitsPerFastPeriodic = 3;

    public static long Seconds(double seconds) => (long)(seconds * Stopwatch.Frequency);
}
