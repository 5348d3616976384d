using VirtioForwarder.Virtqueue;

namespace VirtioForwarder.Device;

/// <summary>
/// The device's live queues at one moment, split by direction: the guest's RX queues (even
/// indexes, host→guest) and TX queues (odd indexes, guest→host). Immutable; the device publishes
/// a new set whenever a ring starts or stops, and the workers pick it up on their next pass.
/// </summary>
public sealed class QueueSet(GuestQueue[] guestRx, GuestQueue[] guestTx)
{
    public static readonly QueueSet Empty = new([], []);

    public GuestQueue[] GuestRx { get; } = guestRx;
    public GuestQueue[] GuestTx { get; } = guestTx;
}
