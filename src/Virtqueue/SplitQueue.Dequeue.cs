using VirtioForwarder.Platform;

namespace VirtioForwarder.Virtqueue;

/// <summary>Guest→host: the guest's transmit queue (virtio 1.2 §5.1.6.2).</summary>
public sealed unsafe partial class SplitQueue
{
    private enum TxOutcome { Copied, Oversize, Malformed }

    /// <summary>
    /// Guest→host (the guest's TX queue): for each available chain, copies the frame after the
    /// virtio-net header into the next frame buffer, returns the chain as used, and notifies the
    /// guest if it asked. Returns the number of frames filled. A chain longer than its buffer is
    /// consumed and counted in <see cref="OversizeDrops"/>; a malformed one sets <see cref="BrokenReason"/>.
    /// </summary>
    public int Dequeue(Span<Frame> frames)
    {
        if (!TryStartBurst(out ushort availIdx)) return 0;
        ushort usedBefore = _usedIdx;
        int filled = 0;
        while (filled < frames.Length && _nextAvail != availIdx)
        {
            ushort head = AvailHead(_nextAvail);
            var outcome = CopyChainOut(head, ref frames[filled]);
            if (outcome == TxOutcome.Malformed) break;
            // The device wrote nothing into a transmit chain: used length 0 (§2.7.8).
            AddUsed(head, 0);
            _nextAvail++;
            if (outcome == TxOutcome.Copied) filled++;
            else OversizeDrops++;
        }
        FinishBurst(usedBefore);
        return filled;
    }

    /// <summary>
    /// Copies one chain's frame into <paramref name="frame"/>. The header is skipped by byte
    /// count, not by descriptor: without assumptions about framing (§5.1.6.2, ANY_LAYOUT, implied
    /// by VERSION_1) it may share a descriptor with data or span several.
    /// </summary>
    private TxOutcome CopyChainOut(ushort head, ref Frame frame)
    {
        var chain = new DescriptorChain(_memory!, _desc, _size, head, _features.IndirectDesc, deviceWrites: false);
        uint headerLeft = (uint)_features.NetHeaderLength;
        ulong capacity = (ulong)Math.Max(frame.Capacity, 0);
        ulong length = 0;
        while (chain.TryNext(out var segment))
        {
            uint skip = Math.Min(headerLeft, segment.Length);
            headerLeft -= skip;
            uint count = segment.Length - skip;
            // Past the capacity the rest is only counted: the chain is consumed whole either way.
            if (count != 0 && length + count <= capacity)
                Buffer.MemoryCopy(segment.Host + skip, frame.Data + length, count, count);
            length += count;
        }
        if (chain.Fault != ChainFault.None)
        {
            Break(chain.Describe(head));
            return TxOutcome.Malformed;
        }
        if (headerLeft != 0)
        {
            Break($"transmit chain at head {head} is shorter than the {_features.NetHeaderLength}-byte virtio-net header");
            return TxOutcome.Malformed;
        }
        if (length > capacity) return TxOutcome.Oversize;
        frame.Length = (int)length;
        return TxOutcome.Copied;
    }
}
