using VirtioForwarder.Memory;
using VirtioForwarder.Platform;

namespace VirtioForwarder.Virtqueue;

/// <summary>
/// One split virtqueue, device side (virtio 1.2 §2.7), carrying virtio-net frames.
/// </summary>
/// <remarks>
/// This file holds the ring's set-up; the data path is in SplitQueue.Dequeue.cs (guest TX),
/// SplitQueue.Enqueue.cs (guest RX) and SplitQueue.Used.cs (returning buffers and notifying).
/// Chains are always completed in order, within the burst that took them, so the used index the
/// device keeps is the one it last published.
/// </remarks>
public sealed unsafe partial class SplitQueue(int index) : GuestQueue(index)
{
    private ushort _nextAvail;
    private ushort _usedIdx;

    private VringDesc* _desc;
    private byte* _avail;
    private byte* _used;

    /// <summary>SET_VRING_BASE / GET_VRING_BASE: the next avail index the device will read.</summary>
    public override ushort NextAvail { get => _nextAvail; set => _nextAvail = value; }

    private protected override string? AttachRing(GuestMemory memory)
    {
        var a = Addresses;
        string? error =
            a.DescUser % RingLayout.DescAlign != 0 ? $"descriptor table at 0x{a.DescUser:x} is not {RingLayout.DescAlign}-byte aligned" :
            a.AvailUser % RingLayout.AvailAlign != 0 ? $"avail ring at 0x{a.AvailUser:x} is not {RingLayout.AvailAlign}-byte aligned" :
            a.UsedUser % RingLayout.UsedAlign != 0 ? $"used ring at 0x{a.UsedUser:x} is not {RingLayout.UsedAlign}-byte aligned" :
            null;
        if (error is not null) return error;

        byte* desc = Translate(memory, "descriptor table", a.DescUser, RingLayout.DescTableBytes(Size), ref error);
        byte* avail = Translate(memory, "avail ring", a.AvailUser, RingLayout.AvailBytes(Size), ref error);
        byte* used = Translate(memory, "used ring", a.UsedUser, RingLayout.UsedBytes(Size), ref error);
        if (error is not null) return error;

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
        return null;
    }

    private protected override void DetachRing()
    {
        _desc = null;
        _avail = null;
        _used = null;
    }

    public override int AvailableEntries => CanRun ? (ushort)(Volatile.Read(ref AvailIdx) - _nextAvail) : 0;

    /// <summary>Asks the guest to kick (before a worker sleeps) or not (while it polls), §2.7.10.</summary>
    public override void SetKickWanted(bool wanted)
    {
        if (!CanRun) return;
        if (Features.EventIdx)
        {
            // Not wanted: leave avail_event behind, so the guest kicks at most once more (as DPDK does).
            if (!wanted) return;
            Volatile.Write(ref AvailEvent, _nextAvail);
            LogUsedRing(RingLayout.AvailEventOffset(Size), sizeof(ushort));
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

    // Ring fields (§2.7.6, §2.7.8), valid while attached.
    private ref ushort AvailFlags => ref *(ushort*)(_avail + RingLayout.FlagsOffset);
    private ref ushort AvailIdx => ref *(ushort*)(_avail + RingLayout.IdxOffset);
    private ref ushort UsedEvent => ref *(ushort*)(_avail + RingLayout.UsedEventOffset(Size));
    private ref ushort UsedFlags => ref *(ushort*)(_used + RingLayout.FlagsOffset);
    private ref ushort UsedIdx => ref *(ushort*)(_used + RingLayout.IdxOffset);
    private ref ushort AvailEvent => ref *(ushort*)(_used + RingLayout.AvailEventOffset(Size));

    /// <summary>The head the driver placed at avail index <paramref name="idx"/>.</summary>
    private ushort AvailHead(ushort idx) => ((ushort*)(_avail + RingLayout.RingOffset))[idx & (Size - 1)];
}
