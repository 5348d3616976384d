using VirtioForwarder.Memory;

namespace VirtioForwarder.Virtqueue;

/// <summary>
/// One packed virtqueue, device side (virtio 1.2 §2.8), carrying virtio-net frames. SET_VRING_ADDR's
/// desc is the descriptor ring, its avail the driver event suppression area and its used the
/// device's (vhost-user "Ring addresses" for packed rings).
/// </summary>
/// <remarks>
/// This file holds the ring's set-up and kick suppression; the data path is in
/// PackedQueue.Burst.cs. Chains are completed in order within the burst that took them, so at a
/// burst's edge the used position equals the next avail position, and SET_VRING_BASE's value
/// (no INFLIGHT_SHMFD) gives both.
/// </remarks>
public sealed unsafe partial class PackedQueue(int index) : GuestQueue(index)
{
    /// <summary>Most chains <see cref="AvailableEntries"/> counts: counting reads descriptors, and callers want at most a batch or two.</summary>
    private const int CountLimit = 64;

    // The device's positions and wrap counters (§2.8.1); a fresh ring starts both at 1.
    private ushort _nextAvail;
    private bool _availWrap = true;
    private ushort _usedIdx;
    private bool _usedWrap = true;

    private VringDesc* _desc;
    private byte* _driverEvent;
    private byte* _deviceEvent;
    private ulong _descGpa, _deviceEventGpa;

    /// <summary>Used elements of the current burst, published together at its end (sized to the ring: a burst takes at most every descriptor once).</summary>
    private UsedEntry[] _shadow = [];
    private int _shadowCount;

    private readonly record struct UsedEntry(ushort Id, uint Length, ushort Descriptors);

    public override ushort NextAvail
    {
        get => (ushort)(_nextAvail | (_availWrap ? PackedLayout.WrapBit : 0));
        set
        {
            _nextAvail = (ushort)(value & ~PackedLayout.WrapBit);
            _availWrap = (value & PackedLayout.WrapBit) != 0;
        }
    }

    private protected override string? AttachRing(GuestMemory memory)
    {
        var a = Addresses;
        string? error =
            a.DescUser % PackedLayout.DescAlign != 0 ? $"descriptor ring at 0x{a.DescUser:x} is not {PackedLayout.DescAlign}-byte aligned" :
            a.AvailUser % PackedLayout.EventAlign != 0 ? $"driver event area at 0x{a.AvailUser:x} is not {PackedLayout.EventAlign}-byte aligned" :
            a.UsedUser % PackedLayout.EventAlign != 0 ? $"device event area at 0x{a.UsedUser:x} is not {PackedLayout.EventAlign}-byte aligned" :
            _nextAvail >= Size ? $"SET_VRING_BASE position {_nextAvail} is outside the ring of {Size}" :
            null;
        if (error is not null) return error;

        byte* desc = Translate(memory, "descriptor ring", a.DescUser, RingLayout.DescTableBytes(Size), ref error);
        byte* driverEvent = Translate(memory, "driver event area", a.AvailUser, PackedLayout.EventBytes, ref error);
        byte* deviceEvent = Translate(memory, "device event area", a.UsedUser, PackedLayout.EventBytes, ref error);
        if (error is not null) return error;

        _desc = (VringDesc*)desc;
        _driverEvent = driverEvent;
        _deviceEvent = deviceEvent;
        _descGpa = UvaToGpa(memory, a.DescUser);
        _deviceEventGpa = UvaToGpa(memory, a.UsedUser);
        _usedIdx = _nextAvail;
        _usedWrap = _availWrap;
        if (_shadow.Length != Size) _shadow = new UsedEntry[Size];
        _shadowCount = 0;
        return null;
    }

    private protected override void DetachRing()
    {
        _desc = null;
        _driverEvent = null;
        _deviceEvent = null;
    }

    /// <summary>Dirty pages are guest-physical; the ring parts were given by the frontend's addresses (and are mapped, so found).</summary>
    private static ulong UvaToGpa(GuestMemory memory, ulong uva)
    {
        foreach (var r in memory.Regions)
            if (uva - r.UserAddr < r.Size) return r.GuestPhysAddr + (uva - r.UserAddr);
        throw new InvalidOperationException($"0x{uva:x} was translated but is in no region");
    }

    /// <summary>Chains available from the next position, counted up to <see cref="CountLimit"/> (0 if not live).</summary>
    public override int AvailableEntries
    {
        get
        {
            if (!CanRun) return 0;
            int chains = 0;
            uint position = _nextAvail;
            bool wrap = _availWrap;
            for (uint seen = 0; seen < Size && chains < CountLimit; seen++)
            {
                ushort flags = DescFlags(position);
                if (!PackedLayout.IsAvailable(flags, wrap)) break;
                if ((flags & RingLayout.DescNext) == 0) chains++;
                if (++position == Size) (position, wrap) = (0, !wrap);
            }
            return chains;
        }
    }

    public override bool HasAvailable => CanRun && NextIsAvailable();

    /// <summary>
    /// Asks the guest to kick (before a worker sleeps) or not (while it polls) through the device
    /// event suppression area (§2.8.14): ENABLE or DISABLE, which every driver honours.
    /// </summary>
    public override void SetKickWanted(bool wanted)
    {
        if (!CanRun) return;
        Volatile.Write(ref *(ushort*)(_deviceEvent + PackedLayout.EventFlagsOffset), wanted ? PackedLayout.EventEnable : PackedLayout.EventDisable);
        if (LogsRings) LogRingWrite(_deviceEventGpa + PackedLayout.EventFlagsOffset, sizeof(ushort));
        // The caller checks AvailableEntries next, before sleeping: the store must be visible to
        // the guest before that load, or a chain posted in between would bring no kick.
        if (wanted) Interlocked.MemoryBarrier();
    }

    /// <summary>A descriptor's flags, read with acquire semantics: what the driver wrote before making it available is visible after (§2.8.21).</summary>
    private ushort DescFlags(uint position) => Volatile.Read(ref *(ushort*)((byte*)(_desc + position) + PackedLayout.DescFlagsOffset));
}
