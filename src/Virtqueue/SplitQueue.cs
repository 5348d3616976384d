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
/// <remarks>
/// This file holds configuration and the hand-off; the data path is in SplitQueue.Dequeue.cs
/// (guest TX), SplitQueue.Enqueue.cs (guest RX) and SplitQueue.Used.cs (returning buffers and
/// notifying). Chains are always completed in order, within the burst that took them, so the
/// used index the device keeps is the one it last published.
/// </remarks>
public sealed unsafe partial class SplitQueue : IDisposable
{
    public const int MaxSize = 32768;

    /// <summary>Longest virtio-net header: struct virtio_net_hdr_mrg_rxbuf (§5.1.6).</summary>
    private const int MaxNetHeaderLength = 12;

    private ushort _size;
    private RingAddresses _addresses;
    private QueueFeatures _features;
    private ushort _nextAvail;
    private ushort _usedIdx;
    private int _busy;

    private GuestMemory? _memory;
    private VringDesc* _desc;
    private byte* _avail;
    private byte* _used;

    public SplitQueue(int index) => Index = index;

    public int Index { get; }

    // ---- configuration (control thread) ----

    /// <summary>Queue size: a power of two up to <see cref="MaxSize"/> (§2.7). Changing it detaches the ring, whose extents were checked for the old size.</summary>
    public ushort Size
    {
        get => _size;
        set
        {
            if (value == 0 || value > MaxSize || (value & (value - 1)) != 0)
                throw new ArgumentException($"queue {Index}: size {value} is not a power of two from 1 to {MaxSize}", nameof(value));
            if (value != _size) Detach();
            _size = value;
        }
    }

    /// <summary>Changing the addresses detaches the ring; <see cref="Attach"/> translates the new ones.</summary>
    public RingAddresses Addresses
    {
        get => _addresses;
        set
        {
            if (value != _addresses) Detach();
            _addresses = value;
        }
    }

    /// <summary>SET_VRING_BASE / GET_VRING_BASE: the next avail index the device will read.</summary>
    public ushort NextAvail { get => _nextAvail; set => _nextAvail = value; }

    public QueueFeatures Features
    {
        get => _features;
        set
        {
            if ((uint)value.NetHeaderLength > MaxNetHeaderLength)
                throw new ArgumentException($"queue {Index}: a virtio-net header is at most {MaxNetHeaderLength} bytes, not {value.NetHeaderLength}", nameof(value));
            _features = value;
        }
    }

    public EventFd? Kick { get; set; }
    public EventFd? Call { get; set; }
    public bool Enabled { get; set; }

    /// <summary>Translates the ring addresses through <paramref name="memory"/>; false with a reason if a ring is not fully mapped.</summary>
    public bool Attach(GuestMemory memory, out string? error)
    {
        var a = _addresses;
        error =
            _size == 0 ? "the ring size is not set" :
            a.DescUser % RingLayout.DescAlign != 0 ? $"descriptor table at 0x{a.DescUser:x} is not {RingLayout.DescAlign}-byte aligned" :
            a.AvailUser % RingLayout.AvailAlign != 0 ? $"avail ring at 0x{a.AvailUser:x} is not {RingLayout.AvailAlign}-byte aligned" :
            a.UsedUser % RingLayout.UsedAlign != 0 ? $"used ring at 0x{a.UsedUser:x} is not {RingLayout.UsedAlign}-byte aligned" :
            null;
        if (error is not null) return false;

        byte* desc = Translate(memory, "descriptor table", a.DescUser, RingLayout.DescTableBytes(_size), ref error);
        byte* avail = Translate(memory, "avail ring", a.AvailUser, RingLayout.AvailBytes(_size), ref error);
        byte* used = Translate(memory, "used ring", a.UsedUser, RingLayout.UsedBytes(_size), ref error);
        if (error is not null) return false;

        _memory = memory;
        _desc = (VringDesc*)desc;
        _avail = avail;
        _used = used;
        // Only the device writes used->idx, so the ring holds what this queue (or the device
        // before a migration or reconnection) last published.
        _usedIdx = Volatile.Read(ref UsedIdx);
        // This device completes chains in order, so a ring it stopped has used->idx equal to the
        // next avail index. A frontend that reconnects after the backend went away may not know
        // that index (DPDK virtio_user always sends SET_VRING_BASE 0): as DPDK's vhost library
        // does, resume where the used ring says rather than replay or skip chains.
        if (_nextAvail != _usedIdx)
        {
            Log.Warning($"queue {Index}: SET_VRING_BASE {_nextAvail} but the used ring is at {_usedIdx}; resuming from {_usedIdx}");
            _nextAvail = _usedIdx;
        }
        return true;
    }

    private static byte* Translate(GuestMemory memory, string what, ulong uva, ulong length, ref string? error)
    {
        byte* host = memory.UvaToHost(uva, length);
        if (host == null) error ??= $"{what} at 0x{uva:x} ({length} bytes) is not in guest memory";
        return host;
    }

    /// <summary>Forgets the ring pointers (memory unmapped, ring stopped). A ring started again begins afresh, unbroken.</summary>
    public void Detach()
    {
        _memory = null;
        _desc = null;
        _avail = null;
        _used = null;
        BrokenReason = null;
    }

    /// <summary>Attached to memory and enabled: the data path may run.</summary>
    public bool IsLive => _desc != null && Enabled && _size > 0;

    // ---- hand-off between the worker and the control thread ----

    public bool TryEnter() => Interlocked.CompareExchange(ref _busy, 1, 0) == 0;

    public void Exit() => Volatile.Write(ref _busy, 0);

    /// <summary>Waits until no burst is running and keeps the worker out until <see cref="Exit"/>.</summary>
    public void EnterExclusive()
    {
        var spin = new SpinWait();
        while (!TryEnter()) spin.SpinOnce();
    }

    // ---- data path (worker thread, inside TryEnter/Exit) ----

    /// <summary>Set when the guest handed a malformed chain; the device must be reset.</summary>
    public string? BrokenReason { get; private set; }

    public ulong OversizeDrops { get; private set; }

    /// <summary>Frames dropped on the guest's RX queue because, without mergeable buffers, the chain offered was smaller than header plus frame.</summary>
    public ulong RxBufferTooSmallDrops { get; private set; }

    /// <summary>How many chains the guest has made available and the device has not taken yet (0 if not live).</summary>
    public int AvailableEntries => CanRun ? (ushort)(Volatile.Read(ref AvailIdx) - _nextAvail) : 0;

    /// <summary>Asks the guest to kick (before a worker sleeps) or not (while it polls), §2.7.10.</summary>
    public void SetKickWanted(bool wanted)
    {
        if (!CanRun) return;
        if (_features.EventIdx)
        {
            // Not wanted: leave avail_event behind, so the guest kicks at most once more (as DPDK does).
            if (!wanted) return;
            Volatile.Write(ref AvailEvent, _nextAvail);
            LogUsedRing(RingLayout.AvailEventOffset(_size), sizeof(ushort));
        }
        else
        {
            ushort flags = Volatile.Read(ref UsedFlags);
            Volatile.Write(ref UsedFlags, (ushort)(wanted ? flags & ~RingLayout.UsedNoNotify : flags | RingLayout.UsedNoNotify));
            LogUsedRing(RingLayout.FlagsOffset, sizeof(ushort));
        }
        // The caller checks AvailableEntries next, before sleeping: the store must be visible to
        // the guest before that load, or a chain posted in between would bring no kick.
        if (wanted) Interlocked.MemoryBarrier();
    }

    public void Dispose()
    {
        Detach();
        Kick?.Dispose();
        Call?.Dispose();
        Kick = null;
        Call = null;
    }

    private bool CanRun => IsLive && BrokenReason is null;

    private void Break(string reason) => BrokenReason ??= $"queue {Index}: {reason}";

    // Ring fields (§2.7.6, §2.7.8), valid while attached.
    private ref ushort AvailFlags => ref *(ushort*)(_avail + RingLayout.FlagsOffset);
    private ref ushort AvailIdx => ref *(ushort*)(_avail + RingLayout.IdxOffset);
    private ref ushort UsedEvent => ref *(ushort*)(_avail + RingLayout.UsedEventOffset(_size));
    private ref ushort UsedFlags => ref *(ushort*)(_used + RingLayout.FlagsOffset);
    private ref ushort UsedIdx => ref *(ushort*)(_used + RingLayout.IdxOffset);
    private ref ushort AvailEvent => ref *(ushort*)(_used + RingLayout.AvailEventOffset(_size));

    /// <summary>The head the driver placed at avail index <paramref name="idx"/>.</summary>
    private ushort AvailHead(ushort idx) => ((ushort*)(_avail + RingLayout.RingOffset))[idx & (_size - 1)];
}
