using VirtioForwarder.Platform;

namespace VirtioForwarder.Ports.Bond;

/// <summary>Transmit: each mode's choice of member per frame (DPDK's bond_ethdev_tx_burst_* per mode).</summary>
public sealed unsafe partial class BondPort
{
    // Frame indices per member for one batch (transmitting thread only).
    private int[][]? _byMember;
    private int[]? _fill;
    private int _rrNext;
    private readonly AlbClients? _albClients;

    public int Transmit(Span<Frame> frames, int count)
    {
        var carriers = Volatile.Read(ref _carriers);
        if (count == 0) return 0;
        if (carriers.Length == 0)
        {
            Interlocked.Add(ref _txNoMemberDrops, count);
            return 0;
        }
        var batch = frames[..count];
        switch (Options.Mode)
        {
            case BondMode.ActiveBackup:
            case BondMode.Tlb:
                return SendInOrder(carriers, batch);
            case BondMode.Broadcast:
                return SendToAll(carriers, batch);
        }
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
            sent += Send(_members[carriers[slot]], batch, _byMember![slot].AsSpan(0, _fill[slot]));
            _fill[slot] = 0;
        }
        if (Options.Mode == BondMode.RoundRobin) _rrNext = (_rrNext + batch.Length) % carriers.Length;
        return sent;
    }

    /// <summary>The position in <paramref name="carriers"/> of the member that sends frame <paramref name="i"/> of the batch.</summary>
    private int PickCarrier(int[] carriers, in Frame frame, int i) => Options.Mode switch
    {
        BondMode.RoundRobin => (_rrNext + i) % carriers.Length,
        // ALB's frames other than ARP replies go out as TLB's: on the least loaded member, first in the tick's order.
        // ARP replies go to their client's member, rewritten to its address (AlbClients).
        BondMode.Alb => _albClients!.Pick(frame, carriers),
        _ => TransmitHash.Pick(Options.HashPolicy, frame.Data, frame.Length, carriers.Length),
    };

    /// <summary>Active-backup (one carrier) and TLB: the whole batch to the first carrier, what it cannot take to the next (DPDK's TLB overflow).</summary>
    private int SendInOrder(int[] carriers, Span<Frame> batch)
    {
        int sent = 0;
        Span<int> order = stackalloc int[batch.Length];
        foreach (int member in carriers)
        {
            int left = batch.Length - sent;
            if (left == 0) break;
            for (int i = 0; i < left; i++) order[i] = sent + i;
            sent += Send(_members[member], batch, order[..left]);
        }
        return sent;
    }

    /// <summary>Broadcast: every frame on every carrier; counts as sent what the most successful member sent (DPDK).</summary>
    private int SendToAll(int[] carriers, Span<Frame> batch)
    {
        Span<int> all = stackalloc int[batch.Length];
        for (int i = 0; i < all.Length; i++) all[i] = i;
        int best = 0;
        foreach (int member in carriers) best = Math.Max(best, Send(_members[member], batch, all));
        return best;
    }

    /// <summary>Copies the frames at <paramref name="indices"/> into the member's buffers and sends them; returns how many went out.</summary>
    private int Send(BondMember member, Span<Frame> batch, ReadOnlySpan<int> indices)
    {
        lock (member.TxLock)
        {
            var own = member.TxFrames.AsSpan(0, indices.Length);
            int lent = member.Port.AcquireTx(own);
            int filled = 0;
            long bytes = 0;
            for (int k = 0; k < indices.Length && filled < lent; k++)
            {
                ref readonly var frame = ref batch[indices[k]];
                ref var into = ref own[filled];
                if (frame.Length > into.Capacity)
                {
                    Interlocked.Increment(ref _txOversizeDrops);
                    continue;
                }
                Buffer.MemoryCopy(frame.Data, into.Data, into.Capacity, frame.Length);
                into.Length = frame.Length;
                bytes += frame.Length;
                filled++;
            }
            int sent = member.Port.Transmit(own, filled);
            if (sent < filled)
                for (int k = sent; k < filled; k++) bytes -= own[k].Length;
            member.TxBytes += bytes;
            return sent;
        }
    }

    private void EnsureGroups()
    {
        if (_byMember is not null) return;
        _byMember = new int[_members.Length][];
        for (int i = 0; i < _members.Length; i++) _byMember[i] = new int[MaxBatch];
        _fill = new int[_members.Length];
    }
}
