namespace VirtioForwarder.Virtqueue;

/// <summary>The edges of a burst: reading the avail index, returning chains as used, publishing and notifying.</summary>
public sealed unsafe partial class SplitQueue
{
    /// <summary>
    /// Reads avail->idx (§2.7.6) with acquire semantics, so the ring entries and descriptors read
    /// after it are at least as new as the index. False if the queue may not run or the index is
    /// impossible: the driver can be at most a whole ring ahead of the device.
    /// </summary>
    private bool TryStartBurst(out ushort availIdx)
    {
        availIdx = 0;
        if (!CanRun) return false;
        availIdx = Volatile.Read(ref AvailIdx);
        if ((ushort)(availIdx - _nextAvail) <= Size) return true;
        Break($"avail index jumped from {_nextAvail} to {availIdx}, more than the ring's {Size} entries");
        return false;
    }

    /// <summary>Writes a used element (§2.7.8); invisible to the guest until <see cref="FinishBurst"/> publishes the index.</summary>
    private void AddUsed(ushort head, uint length)
    {
        uint offset = RingLayout.UsedElemOffset(_usedIdx & (uint)(Size - 1));
        *(ulong*)(_used + offset) = head | (ulong)length << 32;
        LogUsedRing(offset, RingLayout.UsedElemSize);
        _usedIdx++;
    }

    /// <summary>
    /// Publishes the used index once for the whole burst, with release semantics so the guest
    /// sees the elements (and the buffer contents) before the index (§2.7.8), then notifies the
    /// guest if it asked to be (§2.7.10).
    /// </summary>
    private void FinishBurst(ushort usedBefore)
    {
        if (_usedIdx == usedBefore) return;
        Volatile.Write(ref UsedIdx, _usedIdx);
        LogUsedRing(RingLayout.IdxOffset, sizeof(ushort));
        // A full fence, not just release: the index store must be visible before the loads of
        // the driver's suppression state below; otherwise the driver may re-enable
        // notifications after our load, see no new index, and sleep forever.
        Interlocked.MemoryBarrier();
        if (GuestWantsCall(usedBefore)) Call?.Signal();
    }

    private bool GuestWantsCall(ushort usedBefore) =>
        Features.EventIdx
            ? RingLayout.NeedEvent(Volatile.Read(ref UsedEvent), _usedIdx, usedBefore)
            : (Volatile.Read(ref AvailFlags) & RingLayout.AvailNoInterrupt) == 0;

    /// <summary>
    /// Logs a write to the used ring while migrating (vhost-user "Migration": the frontend gave
    /// the used ring's guest-physical address as log_guest_addr). Buffer writes are logged by
    /// GuestMemory.Write instead.
    /// </summary>
    private void LogUsedRing(uint offset, uint length)
    {
        if (LogsRings) LogRingWrite(Addresses.LogGuestAddr + offset, length);
    }
}
