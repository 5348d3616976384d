using VirtioForwarder.Platform;

namespace VirtioForwarder.Relay;

/// <summary>
/// One direction of one relay, driven by a <see cref="Worker"/>: <see cref="Poll"/> moves at most one
/// batch per queue and returns how many frames it handled; before the worker sleeps it asks for
/// notifications and names the fds whose readiness means there is work again.
/// </summary>
public abstract class Forwarder(int queuePairs)
{
    /// <summary>Frames moved per queue per pass: DPDK's MAX_PKT_BURST.</summary>
    public const int Batch = 32;

    public DirectionCounters Counters { get; } = new(queuePairs);

    public abstract int Poll();

    /// <summary>Asks the guest to kick the queues this direction waits on and adds the fds to wait for.</summary>
    public abstract void PrepareSleep(List<int> waitFds);

    /// <summary>Back to polling after a sleep: stop the kicks and clear the kick counters.</summary>
    public abstract void EndSleep();
}
