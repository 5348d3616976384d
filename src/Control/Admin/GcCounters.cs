namespace VirtioForwarder.Control.Admin;

/// <summary>
/// The daemon's garbage collections by generation and the bytes it has allocated so far, in the
/// stats reply: ./bench reads them at both ends of a steady window to show that forwarding
/// allocates nothing per packet (README, fast path). The request being answered allocates a few
/// kilobytes itself, far below one gen0 budget.
/// </summary>
public sealed record GcCounters(int Gen0Collections, int Gen1Collections, int Gen2Collections, long AllocatedBytes)
{
    public static GcCounters Sample() =>
        new(GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalAllocatedBytes(precise: true));
}
