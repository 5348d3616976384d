using VirtioForwarder.Memory;
using VirtioForwarder.Platform;

namespace VirtioForwarder.Virtqueue;

/// <summary>What SET_VRING_ADDR carries: ring addresses in the frontend's virtual address space.</summary>
public readonly record struct RingAddresses(ulong DescUser, ulong UsedUser, ulong AvailUser, ulong LogGuestAddr, bool LogEnabled);

/// <summary>The negotiated features a queue's data path depends on.</summary>
public readonly record struct QueueFeatures(bool EventIdx, bool IndirectDesc, bool Mergeable, int NetHeaderLength, bool LogAll);

/// <summary>
/// One split virtqueue, device side (virtio 1.2 §2.7), carrying virtio-net frames.
/// The control thread configures it (SET_VRING_*); one worker thread runs the data path,
/// a burst at a time inside TryEnter/Exit so the control thread can take it exclusively.
/// </summary>
public sealed unsafe class SplitQueue : IDisposable
{
    public const int MaxSize = 32768;

    public SplitQueue(int index) => Index = index;

    public int Index { get; }

    // ---- configuration (control thread) ----
    public ushort Size { get => throw new NotImplementedException(); set => throw new NotImplementedException(); }
    public RingAddresses Addresses { get => throw new NotImplementedException(); set => throw new NotImplementedException(); }
    /// <summary>SET_VRING_BASE / GET_VRING_BASE: the next avail index the device will read.</summary>
    public ushort NextAvail { get => throw new NotImplementedException(); set => throw new NotImplementedException(); }
    public QueueFeatures Features { get => throw new NotImplementedException(); set => throw new NotImplementedException(); }
    public EventFd? Kick { get; set; }
    public EventFd? Call { get; set; }
    public bool Enabled { get; set; }

    /// <summary>Translates the ring addresses through <paramref name="memory"/>; false with a reason if a ring is not fully mapped.</summary>
    public bool Attach(GuestMemory memory, out string? error) => throw new NotImplementedException();

    /// <summary>Forgets the ring pointers (memory unmapped, ring stopped).</summary>
    public void Detach() => throw new NotImplementedException();

    /// <summary>Attached to memory and enabled: the data path may run.</summary>
    public bool IsLive => throw new NotImplementedException();

    // ---- hand-off between the worker and the control thread ----
    public bool TryEnter() => throw new NotImplementedException();
    public void Exit() => throw new NotImplementedException();
    /// <summary>Waits until no burst is running and keeps the worker out until <see cref="Exit"/>.</summary>
    public void EnterExclusive() => throw new NotImplementedException();

    // ---- data path (worker thread, inside TryEnter/Exit) ----

    /// <summary>Set when the guest handed a malformed chain; the device must be reset.</summary>
    public string? BrokenReason { get; private set; }

    /// <summary>
    /// Guest→host (the guest's TX queue): for each available chain, copies the frame after the
    /// virtio-net header into the next frame buffer, returns the chain as used, and notifies the
    /// guest if it asked. Returns the number of frames filled. A chain longer than its buffer is
    /// consumed and counted in <see cref="OversizeDrops"/>; a malformed one sets <see cref="BrokenReason"/>.
    /// </summary>
    public int Dequeue(Span<Frame> frames) => throw new NotImplementedException();

    /// <summary>
    /// Host→guest (the guest's RX queue): writes a virtio-net header and each frame into the
    /// guest's buffers (merging buffers when negotiated), and notifies the guest if it asked.
    /// Returns how many frames were delivered; the rest found no room.
    /// </summary>
    public int Enqueue(ReadOnlySpan<Frame> frames) => throw new NotImplementedException();

    public ulong OversizeDrops { get; private set; }

    /// <summary>Asks the guest to kick (before a worker sleeps) or not (while it polls).</summary>
    public void SetKickWanted(bool wanted) => throw new NotImplementedException();

    /// <summary>How many chains the guest has made available and the device has not taken yet (0 if not live).</summary>
    public int AvailableEntries => throw new NotImplementedException();

    public void Dispose() => throw new NotImplementedException();
}
