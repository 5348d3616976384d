using VirtioForwarder.Platform;

namespace VirtioForwarder.Virtqueue;

/// <summary>Host→guest: the guest's receive queue (virtio 1.2 §5.1.6.3, §5.1.6.4).</summary>
public sealed unsafe partial class SplitQueue
{
    private enum RxOutcome { Delivered, Dropped, NoRoom, Malformed }

    /// <summary>
    /// Host→guest (the guest's RX queue): writes a virtio-net header and each frame into the
    /// guest's buffers (merging buffers when negotiated), and notifies the guest if it asked.
    /// Returns how many frames were taken from the front of the batch: delivered, or (without
    /// mergeable buffers) dropped because the guest's buffer was too small, counted in
    /// <see cref="RxBufferTooSmallDrops"/>. The rest found no room.
    /// </summary>
    public int Enqueue(ReadOnlySpan<Frame> frames)
    {
        if (!TryStartBurst(out ushort availIdx)) return 0;
        ushort usedBefore = _usedIdx;
        int taken = 0;
        while (taken < frames.Length)
        {
            var outcome = _features.Mergeable ? PutMerged(frames[taken], availIdx) : PutWhole(frames[taken], availIdx);
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
        ushort head = AvailHead(_nextAvail);
        var writer = new ReceivedPacketWriter(_features.NetHeaderLength, frame.Data, frame.Length);
        if (!FillChain(head, ref writer, out uint written)) return RxOutcome.Malformed;
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

    /// <summary>
    /// With MRG_RXBUF a frame takes as many chains as it needs, each returned with the bytes
    /// written into it (§5.1.6.4.2). A frame is delivered whole or not at all: if the chains run
    /// out (or one is malformed) midway, the chains it took become available again: neither
    /// their used elements nor the used index were published, so the guest never owned them back.
    /// </summary>
    private RxOutcome PutMerged(in Frame frame, ushort availIdx)
    {
        ushort availBefore = _nextAvail, usedBefore = _usedIdx;
        var writer = new ReceivedPacketWriter(_features.NetHeaderLength, frame.Data, frame.Length);
        ushort buffers = 0;
        do
        {
            if (_nextAvail == availIdx) return RollBack(RxOutcome.NoRoom);
            ushort head = AvailHead(_nextAvail);
            if (!FillChain(head, ref writer, out uint written)) return RollBack(RxOutcome.Malformed);
            AddUsed(head, written);
            _nextAvail++;
            buffers++;
        }
        while (!writer.Done);
        if (buffers > 1) writer.SetNumBuffers(_memory!, buffers);
        return RxOutcome.Delivered;

        RxOutcome RollBack(RxOutcome outcome)
        {
            _nextAvail = availBefore;
            _usedIdx = usedBefore;
            return outcome;
        }
    }

    /// <summary>
    /// Writes what fits of <paramref name="writer"/> into one chain. The whole chain is walked even
    /// once the frame is written, so a chain is judged malformed or not whatever the frame's size.
    /// </summary>
    private bool FillChain(ushort head, ref ReceivedPacketWriter writer, out uint written)
    {
        var chain = new DescriptorChain(_memory!, _desc, _size, head, _features.IndirectDesc, deviceWrites: true);
        written = 0;
        while (chain.TryNext(out var segment)) written += writer.Fill(_memory!, segment);
        if (chain.Fault == ChainFault.None) return true;
        Break(chain.Describe(head));
        return false;
    }
}
