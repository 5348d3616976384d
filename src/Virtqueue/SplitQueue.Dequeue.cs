using VirtioForwarder.Platform;

namespace VirtioForwarder.Virtqueue;

/// <summary>Guest→host: the guest's transmit queue (virtio 1.2 §5.1.6.2).</summary>
public sealed unsafe partial class SplitQueue
{
    public override int Dequeue(Span<Frame> frames)
    {
        if (!TryStartBurst(out ushort availIdx)) return 0;
        ushort usedBefore = _usedIdx;
        int filled = 0;
        PrefetchFrames(Math.Min(frames.Length, (ushort)(availIdx - _nextAvail)));
        while (filled < frames.Length && _nextAvail != availIdx)
        {
            ushort head = AvailHead(_nextAvail);
            if (!TryTakeOneBuffer(head, ref frames[filled], out var outcome))
            {
                var chain = Chain(head, deviceWrites: false);
                outcome = CopyChainOut(ref chain, head, ref frames[filled]);
                if (outcome == TxOutcome.Malformed) break;
            }
            // The device wrote nothing into a transmit chain: used length 0 (§2.7.8).
            AddUsed(head, 0);
            _nextAvail++;
            if (outcome == TxOutcome.Copied) filled++;
            else OversizeDrops++;
        }
        FinishBurst(usedBefore);
        return filled;
    }

    /// <summary>Hints the frames of the next <paramref name="count"/> available chains into the cache (see <see cref="GuestQueue.PrefetchFrame"/>).</summary>
    private void PrefetchFrames(int count)
    {
        for (ushort i = 0; i < count; i++)
            if (TryReadHead(AvailHead((ushort)(_nextAvail + i)), out var d)) PrefetchFrame(d.Addr, d.Len, d.Flags);
    }

    /// <summary>The chain at <paramref name="head"/>, if it is one buffer (see <see cref="GuestQueue.TryCopyOutOfOneBuffer"/>), copied out.</summary>
    private bool TryTakeOneBuffer(ushort head, ref Frame frame, out TxOutcome outcome)
    {
        outcome = TxOutcome.Malformed;
        return TryReadHead(head, out var d) && TryCopyOutOfOneBuffer(d.Addr, d.Len, d.Flags, ref frame, out outcome);
    }

    /// <summary>
    /// The descriptor at <paramref name="head"/>, read once (the guest may be rewriting it), for
    /// the one-buffer paths; false for a head outside the table, which the chain walk then judges.
    /// </summary>
    private bool TryReadHead(ushort head, out VringDesc d)
    {
        d = head < Size ? _desc[head] : default;
        return head < Size;
    }

    private DescriptorChain Chain(ushort head, bool deviceWrites) =>
        new(Memory, _desc, Size, head, Features.IndirectDesc, deviceWrites);
}
