using VirtioForwarder.Platform;
using VirtioForwarder.Protocol;
using VirtioForwarder.Virtqueue;
using static VirtioForwarder.Device.VirtioNetFeatures;

namespace VirtioForwarder.Device;

/// <summary>
/// Ring set-up and the ring states of the vhost-user spec ("Ring states"): a ring is started by
/// its kick fd and stopped by GET_VRING_BASE; with PROTOCOL_FEATURES negotiated it also needs
/// SET_VRING_ENABLE(1) before the device may use it, otherwise it is enabled as it starts.
/// </summary>
public sealed partial class VhostUserNetDevice
{
    private readonly HashSet<int> _addressed = new();
    private readonly HashSet<int> _started = new();

    public void SetVringNum(uint index, uint num)
    {
        if (num == 0 || num > GuestQueue.MaxSize || (num & (num - 1)) != 0)
            throw new ProtocolException($"SET_VRING_NUM: queue {index} size {num} is not a power of two up to {GuestQueue.MaxSize}");
        var q = Queue(index);
        WithExclusive(q, () => q.Size = (ushort)num);
    }

    public void SetVringAddr(VringAddress a)
    {
        var q = Queue(a.Index);
        WithExclusive(q, () =>
        {
            q.Addresses = new RingAddresses(a.DescUser, a.UsedUser, a.AvailUser, a.LogGuestAddr,
                (a.Flags & VringAddress.LogFlag) != 0);
            _addressed.Add((int)a.Index);
            AttachIfConfigured(q);
        });
        PublishLiveQueues();
    }

    public void SetVringBase(uint index, uint num)
    {
        var q = Queue(index);
        // The low 16 bits: a split ring's next avail index, or a packed ring's next descriptor
        // (bits 0-14) and wrap counter (bit 15); vhost-user "Ring states".
        WithExclusive(q, () => q.NextAvail = (ushort)num);
    }

    public uint GetVringBase(uint index)
    {
        var q = Queue(index);
        ushort next = 0;
        WithExclusive(q, () =>
        {
            StopRing(q);
            next = q.NextAvail;
        });
        PublishLiveQueues();
        Log.Debug($"{Name}: queue {index} stopped at avail index {next}");
        return next;
    }

    public void SetVringKick(uint index, int fd)
    {
        var q = Queue(index);
        WithExclusive(q, () =>
        {
            q.Kick?.Dispose();
            q.Kick = fd >= 0 ? new EventFd(fd) : null;
            _started.Add((int)index);
            if (!Has(_features, ProtocolFeaturesBit)) q.Enabled = true;
            AttachIfConfigured(q);
        });
        PublishLiveQueues();
    }

    public void SetVringCall(uint index, int fd)
    {
        var q = Queue(index);
        WithExclusive(q, () =>
        {
            q.Call?.Dispose();
            q.Call = fd >= 0 ? new EventFd(fd) : null;
        });
    }

    /// <summary>Errors are reported by resetting the device, not through the error eventfd.</summary>
    public void SetVringErr(uint index, int fd)
    {
        if (fd >= 0) Libc.Close(fd);
    }

    public void SetVringEnable(uint index, bool enable)
    {
        var q = Queue(index);
        WithExclusive(q, () => q.Enabled = enable);
        PublishLiveQueues();
        Log.Debug($"{Name}: queue {index} {(enable ? "enabled" : "disabled")}");
    }

    private GuestQueue Queue(uint index)
    {
        var q = _queues[index];
        if (q is null)
        {
            q = NewQueue((int)index);
            _queues[index] = q;
        }
        return q;
    }

    /// <summary>A queue in the ring format the negotiated features name (VIRTIO_F_RING_PACKED or not).</summary>
    private GuestQueue NewQueue(int index)
    {
        GuestQueue q = Has(_features, RingPacked) ? new PackedQueue(index) : new SplitQueue(index);
        q.Features = QueueFeatures();
        return q;
    }

    /// <summary>
    /// <paramref name="q"/> with the negotiated features, in a new queue taking its settings if the
    /// ring format changed (frontends may set up a ring before SET_FEATURES; the caller holds it).
    /// </summary>
    private GuestQueue InFormat(GuestQueue q)
    {
        if (q is PackedQueue == Has(_features, RingPacked))
        {
            q.Features = QueueFeatures();
            return q;
        }
        var replacement = NewQueue(q.Index);
        replacement.TakeSettingsFrom(q);
        q.Dispose();
        AttachIfConfigured(replacement);
        return replacement;
    }

    /// <summary>Translates the ring once memory, addresses and the kick are all there.</summary>
    private void AttachIfConfigured(GuestQueue q)
    {
        if (_memory is null || !_addressed.Contains(q.Index) || !_started.Contains(q.Index)) return;
        if (!q.Attach(_memory, out string? error))
            throw new ProtocolException($"queue {q.Index}: {error}");
    }

    private void StopRing(GuestQueue q)
    {
        q.Detach();
        q.Enabled = false;
        q.Kick?.Dispose();
        q.Kick = null;
        _started.Remove(q.Index);
    }

    private void StopAllRings()
    {
        foreach (var q in _queues)
            if (q is not null) WithExclusive(q, () => StopRing(q));
        PublishLiveQueues();
    }

    private static void WithExclusive(GuestQueue q, Action change)
    {
        q.EnterExclusive();
        try { change(); }
        finally { q.Exit(); }
    }

    private void PublishLiveQueues()
    {
        var rx = new List<GuestQueue>();
        var tx = new List<GuestQueue>();
        foreach (var q in _queues)
            if (q is not null && q.IsLive) (q.Index % 2 == 0 ? rx : tx).Add(q);
        var previous = _live;
        if (SameQueues(previous.GuestRx, rx) && SameQueues(previous.GuestTx, tx)) return;
        Volatile.Write(ref _live, new QueueSet(rx.ToArray(), tx.ToArray()));
        Log.Info($"{Name}: live queues rx {rx.Count}, tx {tx.Count}");
        QueuesChanged?.Invoke(this);
    }

    private static bool SameQueues(GuestQueue[] a, List<GuestQueue> b) => a.AsSpan().SequenceEqual(b.ToArray());
}
