namespace VirtioForwarder.Relay;

/// <summary>Why a frame was dropped (upstream's stats count the first two; contract §4.2).</summary>
public enum DropReason
{
    /// <summary>The receiving side had no room: the guest's RX ring (host→VM) or the port's TX queue (VM→host).</summary>
    QueueFull,
    /// <summary>The other side was absent: no VM connected, or no port attached.</summary>
    NotConnected,
    /// <summary>The port's link was down.</summary>
    LinkDown,
    /// <summary>A guest frame larger than the port's buffers, or a guest RX buffer too small for a frame.</summary>
    Oversize,
    /// <summary>
    /// The kernel dropped a frame for the port before the relay could take it, the port queue's
    /// receive ring full (<see cref="Ports.IPort.RxMissed"/>, DPDK's imissed). Only
    /// <see cref="PortRxMissed"/> counts these, under its lock, off the worker thread.
    /// </summary>
    RxMissed,
}

/// <summary>
/// Counters of one relay direction, with each drop also counted against the guest queue it
/// concerns (the queue pair index: RX queue i for VF→VM, TX queue i for VM→VF). One worker thread
/// writes them (plain adds, no atomics in the fast path); readers see each field with Volatile.Read.
/// Never reset: they accumulate from daemon start, as upstream's stats do (contract §4.2).
/// </summary>
public sealed class DirectionCounters(int queuePairs)
{
    private const int Reasons = 5;

    public long RxPackets, RxBytes, TxPackets, TxBytes;

    private readonly long[] _drops = new long[Reasons];
    // Queue q's count for reason r at [q * Reasons + r].
    private readonly long[] _byQueue = new long[queuePairs * Reasons];

    /// <summary>Drops with no queue to blame, e.g. frames from the port while no VM is connected.</summary>
    public void AddDrops(DropReason reason, long n) => _drops[(int)reason] += n;

    public void AddDrops(DropReason reason, int queue, long n)
    {
        _drops[(int)reason] += n;
        _byQueue[queue * Reasons + (int)reason] += n;
    }

    /// <summary>The guest queue pairs drops can be counted against.</summary>
    public int QueuePairs => _byQueue.Length / Reasons;

    public CountersSnapshot Read() => new(
        Volatile.Read(ref RxPackets), Volatile.Read(ref RxBytes), Volatile.Read(ref TxPackets), Volatile.Read(ref TxBytes),
        Drops(_drops, 0, DropReason.QueueFull), Drops(_drops, 0, DropReason.NotConnected),
        Drops(_drops, 0, DropReason.LinkDown), Drops(_drops, 0, DropReason.Oversize), ReadQueues(),
        Drops(_drops, 0, DropReason.RxMissed));

    /// <summary>The queues that dropped anything; null when none did.</summary>
    private QueueDrops[]? ReadQueues()
    {
        List<QueueDrops>? list = null;
        for (int q = 0; q < QueuePairs; q++)
        {
            int at = q * Reasons;
            var drops = new QueueDrops(q, Drops(_byQueue, at, DropReason.QueueFull), Drops(_byQueue, at, DropReason.NotConnected),
                Drops(_byQueue, at, DropReason.LinkDown), Drops(_byQueue, at, DropReason.Oversize), Drops(_byQueue, at, DropReason.RxMissed));
            if (drops.Total > 0) (list ??= []).Add(drops);
        }
        return list?.ToArray();
    }

    private static long Drops(long[] counts, int at, DropReason reason) => Volatile.Read(ref counts[at + (int)reason]);
}

/// <summary>
/// A consistent-enough copy of <see cref="DirectionCounters"/> for reporting. Drops without a
/// queue (frames from the port while no VM is connected) count only in the direction's totals.
/// <see cref="DroppedRxMissed"/> are frames the port's kernel side dropped (VF→VM only): they are
/// not in <see cref="RxPackets"/>, which counts what the relay received.
/// </summary>
public readonly record struct CountersSnapshot(long RxPackets, long RxBytes, long TxPackets, long TxBytes,
    long DroppedQueueFull, long DroppedNotConnected, long DroppedLinkDown, long DroppedOversize,
    IReadOnlyList<QueueDrops>? ByQueue = null, long DroppedRxMissed = 0);

/// <summary>
/// Drops against one queue pair index by reason: the guest queue's, and for
/// <see cref="RxMissed"/> the port queue's (a port's queue i feeds guest queue i).
/// </summary>
public readonly record struct QueueDrops(int Queue, long QueueFull, long NotConnected, long LinkDown, long Oversize, long RxMissed = 0)
{
    public long Total => QueueFull + NotConnected + LinkDown + Oversize + RxMissed;
}
