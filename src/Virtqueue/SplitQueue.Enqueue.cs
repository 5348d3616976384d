using VirtioForwarder.Platform;

namespace VirtioForwarder.Virtqueue;

/// <summary>Host→guest: the guest's receive queue (virtio 1.2 §5.1.6.3, §5.1.6.4).</summary>
public sealed unsafe partial class SplitQueue
{
    public override int Enqueue(ReadOnlySpan<Frame> frames)
    {
        if (!TryStartBurst(out ushort availIdx)) return 0;
        ushort usedBefore = _usedIdx;
        int taken = 0;
        while (taken < frames.Length)
        {
            var outcome = Features.Mergeable ? PutMerged(frames[taken], availIdx) : PutWhole(frames[taken], availIdx);
            if (outcome is RxOutcome.NoRoom or RxOutcome.Malformed) break;
            taken++;
        }
        FinishBurst(usedBefore);
        return taken;
    }

    /// <summary>Without MRG_RXBUF the frame and its header must fit one chain (§5.1.6.3.1).</summary>
    private RxOutcome PutWhole(in Frame frame, ushort availIdx)
    {
        if (_nextAvail == availIdx) return RxOutcome.NoRoom;
        if (TryPutInOneBuffer(frame)) return RxOutcome.Delivered;
        ushort head = AvailHead(_nextAvail);
        var writer = Writer(frame);
        var chain = Chain(head, deviceWrites: true);
        if (!FillChain(ref chain, head, ref writer, out uint written)) return RxOutcome.Malformed;
        _nextAvail++;
        if (writer.Done)
        {
            AddUsed(head, written);
            return RxOutcome.Delivered;
        }
        // Returned with length 0: the guest reads it as nothing received and posts it again.
        AddUsed(head, 0);
        RxBufferTooSmallDrops++;
        return RxOutcome.Dropped;
    }

    /// <summary>The next chain, if it is one buffer that takes the whole frame (see <see cref="GuestQueue.TryWriteInOneBuffer"/>), filled and used.</summary>
    private bool TryPutInOneBuffer(in Frame frame)
    {
        ushort head = AvailHead(_nextAvail);
        if (!TryReadHead(head, out var d) || !TryWriteInOneBuffer(d.Addr, d.Len, d.Flags, frame, out uint written)) return false;
        _nextAvail++;
        AddUsed(head, written);
        return true;
    }

    /// <summary>
    /// With MRG_RXBUF a frame takes as many chains as it needs, each returned with the bytes
    /// written into it (§5.1.6.4.2). A frame is delivered whole or not at all: if the chains run
    /// out (or one is malformed) midway, the chains it took become available again: neither
    /// their used elements nor the used index were published, so the guest never owned them back.
    /// </summary>
    private RxOutcome PutMerged(in Frame frame, ushort availIdx)
    {
        if (_nextAvail != availIdx && TryPutInOneBuffer(frame)) return RxOutcome.Delivered;
        ushort availBefore = _nextAvail, usedBefore = _usedIdx;
        var writer = Writer(frame);
        ushort buffers = 0;
        do
        {
            if (_nextAvail == availIdx) return RollBack(RxOutcome.NoRoom);
            ushort head = AvailHead(_nextAvail);
            var chain = Chain(head, deviceWrites: true);
            if (!FillChain(ref chain, head, ref writer, out uint written)) return RollBack(RxOutcome.Malformed);
            AddUsed(head, written);
            _nextAvail++;
            buffers++;
        }
        while (!writer.Done);
        if (buffers > 1) writer.SetNumBuffers(Memory, buffers);
        return RxOutcome.Delivered;

        RxOutcome RollBack(RxOutcome outcome)
        {
            _nextAvail = availBefore;
            _usedIdx = usedBefore;
            return outcome;
        }
    }
}
