using VirtioForwarder.Platform;

namespace VirtioForwarder.Ports.Bond;

/// <summary>Transmit: each mode's choice of member per frame (DPDK's bond_ethdev_tx_burst_* per mode), on this queue's lanes.</summary>
internal sealed unsafe partial class BondQueue
{
    // Frame indices per member for one batch (transmitting thread only).
    private int[][]? _byMember;
    private int[]? _fill;
    private int _rrNext;

    public int AcquireTx(Span<Frame> frames) => _tx.Lend(frames);

    public int Transmit(Span<Frame> frames, int count)
    {
        var carriers = _bond.Carriers;
        if (count == 0) return 0;
        if (carriers.Length == 0)
        {
            _bond.CountNoMember(count);
            return 0;
        }
        var batch = frames[..count];
        int sent = _bond.Options.Mode switch
        {
            BondMode.ActiveBackup or BondMode.Tlb => SendInOrder(carriers, batch),
            BondMode.Broadcast => SendToAll(carriers, batch),
            _ => SendGrouped(carriers, batch),
        };
        _sent += sent;
        return sent;
    }

    /// <summary>Round-robin, balance-xor, 802.3ad and ALB: each frame to the member picked for it, one batch per member.</summary>
    private int SendGrouped(int[] carriers, Span<Frame> batch)
    {
        EnsureGroups();
        for (int i = 0; i < batch.Length; i++)
        {
            int slot = PickCarrier(carriers, batch[i], i);
            _byMember![slot][_fill![slot]++] = i;
        }
        int sent = 0;
        for (int slot = 0; slot < carriers.Length; slot++)
        {
            if (_fill![slot] == 0) continue;
            sent += Send(_lanes[carriers[slot]], batch, _byMember![slot].AsSpan(0, _fill[slot]), refuses: true, out _);
            _fill[slot] = 0;
        }
        if (_bond.Options.Mode == BondMode.RoundRobin) _rrNext = (_rrNext + batch.Length) % carriers.Length;
        return sent;
    }

    /// <summary>The position in <paramref name="carriers"/> of the member that sends frame <paramref name="i"/> of the batch.</summary>
    private int PickCarrier(int[] carriers, in Frame frame, int i) => _bond.Options.Mode switch
    {
        BondMode.RoundRobin => (_rrNext + i) % carriers.Length,
        // ALB's frames other than ARP replies go out as TLB's: on the least loaded member, first in the tick's order.
        // ARP replies go to their client's member, rewritten to its address (AlbClients).
        BondMode.Alb => _bond.Alb!.Pick(frame, carriers),
        _ => TransmitHash.Pick(_bond.Options.HashPolicy, frame.Data, frame.Length, carriers.Length),
    };

    /// <summary>Active-backup (one carrier) and TLB: the whole batch to the first carrier, what it cannot take to the next (DPDK's TLB overflow).</summary>
    private int SendInOrder(int[] carriers, Span<Frame> batch)
    {
        Span<int> order = stackalloc int[batch.Length];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        int sent = 0, from = 0;
        foreach (int member in carriers)
        {
            if (from == order.Length) break;
            sent += Send(_lanes[member], batch, order[from..], refuses: true, out int done);
            from += done;
        }
        return sent;
    }

    /// <summary>
    /// Broadcast: every frame on every carrier; counts as sent what the most successful member sent
    /// (DPDK). A frame one member refuses may still leave on another, so none is refused for all:
    /// one no member could send counts as not sent.
    /// </summary>
    private int SendToAll(int[] carriers, Span<Frame> batch)
    {
        Span<int> all = stackalloc int[batch.Length];
        for (int i = 0; i < all.Length; i++) all[i] = i;
        int best = 0;
        foreach (int member in carriers) best = Math.Max(best, Send(_lanes[member], batch, all, refuses: false, out _));
        return best;
    }

    /// <summary>
    /// Copies the frames at <paramref name="indices"/>, offload state and all, into buffers of the
    /// lane's member queue and sends them; returns how many went out, and in <paramref name="done"/>
    /// how many of the indices were dealt with (sent, or refused as too long), the rest being there
    /// for TLB to offer to the next member. With <paramref name="refuses"/>, a frame too long for the
    /// member's buffers or its MTU is refused as <see cref="IPort.TxOversize"/> says: counted, and its length set to 0.
    /// </summary>
    private int Send(BondLane lane, Span<Frame> batch, ReadOnlySpan<int> indices, bool refuses, out int done)
    {
        lock (lane.TxLock)
        {
            var own = lane.TxFrames.AsSpan(0, indices.Length);
            int lent = lane.Tx.AcquireTx(own);
            // Where in indices each filled buffer's frame is.
            Span<int> position = stackalloc int[lent];
            int filled = 0, k = 0;
            for (; k < indices.Length && filled < lent; k++)
            {
                ref var frame = ref batch[indices[k]];
                ref var into = ref own[filled];
                if (frame.Length > into.Capacity)
                {
                    if (refuses) Refuse(ref frame);
                    continue;
                }
                Buffer.MemoryCopy(frame.Data, into.Data, into.Capacity, frame.Length);
                into.Length = frame.Length;
                into.Offload = frame.Offload;
                position[filled++] = k;
            }
            done = k;
            long refusedBefore = lane.Tx.TxOversize;
            int sent = lane.Tx.Transmit(own, filled);
            bool memberRefused = lane.Tx.TxOversize != refusedBefore;
            // The member sent the first `sent` of the frames it did not refuse (those it zeroed).
            int counted = 0;
            long bytes = 0;
            for (int f = 0; f < filled; f++)
            {
                ref var frame = ref batch[indices[position[f]]];
                if (memberRefused && own[f].Length == 0)
                {
                    if (refuses) Refuse(ref frame);
                    continue;
                }
                if (counted == sent)
                {
                    done = position[f];
                    break;
                }
                counted++;
                bytes += frame.Length;
            }
            lane.TxBytes += bytes;
            return sent;
        }
    }

    private void Refuse(ref Frame frame)
    {
        _txOversize++;
        frame.Length = 0;
    }

    private void EnsureGroups()
    {
        if (_byMember is not null) return;
        _byMember = new int[_lanes.Length][];
        for (int i = 0; i < _lanes.Length; i++) _byMember[i] = new int[BondPort.MaxBatch];
        _fill = new int[_lanes.Length];
    }
}
