namespace VirtioForwarder.Relay;

/// <summary>
/// Counters of one relay direction. One worker thread writes them (plain adds, no atomics in the
/// fast path); readers see each field with Volatile.Read. Never reset: they accumulate from
/// daemon start, as upstream's stats do.
/// </summary>
public sealed class DirectionCounters
{
    public long RxPackets, RxBytes, TxPackets, TxBytes;
    /// <summary>The receiving side had no room: the guest's RX ring (host→VM) or the port's TX queue (VM→host).</summary>
    public long DroppedQueueFull;
    /// <summary>The other side was absent: no VM connected, or no port attached.</summary>
    public long DroppedNotConnected;
    /// <summary>The port's link was down.</summary>
    public long DroppedLinkDown;
    /// <summary>A guest frame larger than the port's buffers, or a guest RX buffer too small for a frame (bytes not counted).</summary>
    public long DroppedOversize;

    public CountersSnapshot Read() => new(
        Volatile.Read(ref RxPackets), Volatile.Read(ref RxBytes), Volatile.Read(ref TxPackets), Volatile.Read(ref TxBytes),
        Volatile.Read(ref DroppedQueueFull), Volatile.Read(ref DroppedNotConnected), Volatile.Read(ref DroppedLinkDown),
        Volatile.Read(ref DroppedOversize));
}

/// <summary>A consistent-enough copy of <see cref="DirectionCounters"/> for reporting.</summary>
public readonly record struct CountersSnapshot(long RxPackets, long RxBytes, long TxPackets, long TxBytes,
    long DroppedQueueFull, long DroppedNotConnected, long DroppedLinkDown, long DroppedOversize);
