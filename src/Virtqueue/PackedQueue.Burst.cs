using VirtioForwarder.Platform;

namespace VirtioForwarder.Virtqueue;

/// <summary>The packed ring's data path: taking chains, returning them as used, notifying.</summary>
public sealed unsafe partial class PackedQueue
{
    public override int Dequeue(Span<Frame> frames)
    {
        if (!CanRun) return 0;
        int filled = 0;
        PrefetchFrames(frames.Length);
        while (filled < frames.Length && HeadAvailable())
        {
            // The device writes nothing into a transmit chain: used length 0.
            var d = NextDescriptor(out ushort flags);
            if (TryCopyOutOfOneBuffer(d.Addr, d.Len, flags, ref frames[filled], out var outcome)) Take(d.Flags, 1, 0);
            else
            {
                ushort head = _nextAvail;
                var chain = Chain(deviceWrites: false);
                outcome = CopyChainOut(ref chain, head, ref frames[filled]);
                if (outcome == TxOutcome.Malformed) break;
                TakeChain(chain, 0);
            }
            if (outcome == TxOutcome.Copied) filled++;
            else OversizeDrops++;
        }
        FinishBurst();
        return filled;
    }

    /// <summary>Hints the frames of up to <paramref name="count"/> available descriptors into the cache (see <see cref="GuestQueue.PrefetchFrame"/>).</summary>
    private void PrefetchFrames(int count)
    {
        uint position = _nextAvail;
        bool wrap = _availWrap;
        for (int i = 0; i < count; i++)
        {
            ushort flags = DescFlags(position);
            if (!PackedLayout.IsAvailable(flags, wrap)) break;
            var d = _desc[position];
            PrefetchFrame(d.Addr, d.Len, ShapeFlags(flags));
            if (++position == Size) (position, wrap) = (0, !wrap);
        }
    }

    public override int Enqueue(ReadOnlySpan<Frame> frames)
    {
        if (!CanRun) return 0;
        int taken = 0;
        while (taken < frames.Length)
        {
            var outcome = Features.Mergeable ? PutMerged(frames[taken]) : PutWhole(frames[taken]);
            if (outcome is RxOutcome.NoRoom or RxOutcome.Malformed) break;
            taken++;
        }
        FinishBurst();
        return taken;
    }

    /// <summary>Without MRG_RXBUF the frame and its header must fit one chain (§5.1.6.3.1).</summary>
    private RxOutcome PutWhole(in Frame frame)
    {
        if (!HeadAvailable()) return RxOutcome.NoRoom;
        if (TryPutInOneBuffer(frame)) return RxOutcome.Delivered;
        ushort head = _nextAvail;
        var writer = Writer(frame);
        var chain = Chain(deviceWrites: true);
        if (!FillChain(ref chain, head, ref writer, out uint written)) return RxOutcome.Malformed;
        if (writer.Done)
        {
            TakeChain(chain, written);
            return RxOutcome.Delivered;
        }
        // Returned with length 0: the guest reads it as nothing received and posts it again.
        TakeChain(chain, 0);
        RxBufferTooSmallDrops++;
        return RxOutcome.Dropped;
    }

    /// <summary>
    /// With MRG_RXBUF a frame takes as many chains as it needs, each returned with the bytes
    /// written into it (§5.1.6.4.2). A frame is delivered whole or not at all: if the chains run
    /// out (or one is malformed) midway, the chains it took become available again: their used
    /// descriptors wait in the burst's shadow, unpublished, so the guest never owned them back.
    /// </summary>
    private RxOutcome PutMerged(in Frame frame)
    {
        if (HeadAvailable() && TryPutInOneBuffer(frame)) return RxOutcome.Delivered;
        ushort availBefore = _nextAvail;
        bool wrapBefore = _availWrap;
        int shadowBefore = _shadowCount;
        var writer = Writer(frame);
        ushort buffers = 0;
        do
        {
            if (!HeadAvailable()) return RollBack(RxOutcome.NoRoom);
            ushort head = _nextAvail;
            var chain = Chain(deviceWrites: true);
            if (!FillChain(ref chain, head, ref writer, out uint written)) return RollBack(RxOutcome.Malformed);
            TakeChain(chain, written);
            buffers++;
        }
        while (!writer.Done);
        if (buffers > 1) writer.SetNumBuffers(Memory, buffers);
        return RxOutcome.Delivered;

        RxOutcome RollBack(RxOutcome outcome)
        {
            (_nextAvail, _availWrap, _shadowCount) = (availBefore, wrapBefore, shadowBefore);
            return outcome;
        }
    }

    /// <summary>
    /// The descriptor at the next position is available (its flags read once, with acquire
    /// semantics, so the chain read after is what the driver wrote before it) and the burst's
    /// shadow has room: a guest rewriting flags under the device cannot make a burst take more
    /// chains than the ring has descriptors.
    /// </summary>
    private bool HeadAvailable() => _shadowCount < _shadow.Length && NextIsAvailable();

    /// <summary>The descriptor at the next position is available in the current wrap (§2.8.1).</summary>
    private bool NextIsAvailable() => PackedLayout.IsAvailable(DescFlags(_nextAvail), _availWrap);

    private DescriptorChain Chain(bool deviceWrites) =>
        new(Memory, _desc, Size, _nextAvail, Features.IndirectDesc, deviceWrites, packed: true);

    /// <summary>The next chain, if it is one buffer that takes the whole frame (see <see cref="GuestQueue.TryWriteInOneBuffer"/>), filled and taken.</summary>
    private bool TryPutInOneBuffer(in Frame frame)
    {
        var d = NextDescriptor(out ushort flags);
        if (!TryWriteInOneBuffer(d.Addr, d.Len, flags, frame, out uint written)) return false;
        Take(d.Flags, 1, written);
        return true;
    }

    /// <summary>
    /// The descriptor at the next position, read once (the guest may be rewriting it), and its
    /// flags without the AVAIL and USED bits, which <see cref="HeadAvailable"/> has judged: the
    /// split ring's flags as far as the chain's shape goes.
    /// </summary>
    private VringDesc NextDescriptor(out ushort flags)
    {
        VringDesc d = _desc[_nextAvail];
        // A packed descriptor's flags sit where a split one has next, and its id where flags are (§2.8.13).
        flags = ShapeFlags(d.Next);
        return d;
    }

    /// <summary>A packed descriptor's flags without AVAIL and USED: NEXT, WRITE and INDIRECT, as a split descriptor has them.</summary>
    private static ushort ShapeFlags(ushort flags) => (ushort)(flags & ~(PackedLayout.DescAvail | PackedLayout.DescUsed));

    /// <summary>Moves past a walked chain and records its used descriptor for the end of the burst.</summary>
    private void TakeChain(in DescriptorChain chain, uint written) => Take(chain.BufferId, (ushort)chain.RingDescriptors, written);

    /// <summary>Moves past a chain of <paramref name="descriptors"/> ring descriptors with buffer ID <paramref name="id"/> and records its used descriptor.</summary>
    private void Take(ushort id, ushort descriptors, uint written)
    {
        _shadow[_shadowCount++] = new UsedEntry(id, written, descriptors);
        _nextAvail += descriptors;
        if (_nextAvail >= Size) (_nextAvail, _availWrap) = ((ushort)(_nextAvail - Size), !_availWrap);
    }

    /// <summary>
    /// Writes the burst's used descriptors (§2.8.2, one per chain, at the chain's first slot, with
    /// the buffer ID of its last): id and len first, then the flags with release semantics, the
    /// first descriptor's flags last so the guest sees the whole burst at once. WRITE marks a
    /// length the driver must read (§2.8.4). Then notifies the guest if it asked (§2.8.14).
    /// </summary>
    private void FinishBurst()
    {
        if (_shadowCount == 0) return;
        ushort usedBefore = _usedIdx;
        ushort* headFlags = null;
        ushort firstFlags = 0;
        for (int i = 0; i < _shadowCount; i++)
        {
            var e = _shadow[i];
            byte* d = (byte*)(_desc + _usedIdx);
            *(uint*)(d + PackedLayout.LenOffset) = e.Length;
            *(ushort*)(d + PackedLayout.IdOffset) = e.Id;
            ushort flags = (ushort)(PackedLayout.UsedFlags(_usedWrap) | (e.Length != 0 ? RingLayout.DescWrite : 0));
            ushort* flagsField = (ushort*)(d + PackedLayout.DescFlagsOffset);
            if (i == 0)
            {
                headFlags = flagsField;
                firstFlags = flags;
            }
            else Volatile.Write(ref *flagsField, flags);
            if (LogsRings) LogRingWrite(_descGpa + RingLayout.DescSize * (ulong)_usedIdx, RingLayout.DescSize);
            _usedIdx += e.Descriptors;
            if (_usedIdx >= Size) (_usedIdx, _usedWrap) = ((ushort)(_usedIdx - Size), !_usedWrap);
        }
        Volatile.Write(ref *headFlags, firstFlags);
        _shadowCount = 0;
        // A full fence, not just release: the flags must be visible before the load of the
        // driver's suppression state below; otherwise the driver may re-enable notifications
        // after our load, see no used descriptor, and sleep forever.
        Interlocked.MemoryBarrier();
        if (GuestWantsCall(usedBefore)) Call?.Signal();
    }

    /// <summary>
    /// The driver event suppression area (§2.8.14): ENABLE or DISABLE, or with EVENT_IDX a
    /// descriptor position (and its wrap counter) whose use the driver wants to hear about: true
    /// if this burst, moving the used position from <paramref name="usedBefore"/>, passed it.
    /// </summary>
    private bool GuestWantsCall(ushort usedBefore)
    {
        ushort flags = Volatile.Read(ref *(ushort*)(_driverEvent + PackedLayout.EventFlagsOffset));
        if (flags != PackedLayout.EventDesc || !Features.EventIdx) return flags != PackedLayout.EventDisable;
        ushort offWrap = Volatile.Read(ref *(ushort*)(_driverEvent + PackedLayout.EventOffWrapOffset));
        // Unfold the positions onto one line, the current lap being [0, Size): the old position
        // is on the previous lap if the burst wrapped (or took the whole ring), and so is the
        // event position if its wrap counter is not the current one.
        int old = usedBefore >= _usedIdx ? usedBefore - Size : usedBefore;
        int eventAt = (offWrap & ~PackedLayout.WrapBit) - ((offWrap & PackedLayout.WrapBit) != 0 == _usedWrap ? 0 : Size);
        return RingLayout.NeedEvent((ushort)eventAt, _usedIdx, (ushort)old);
    }
}
