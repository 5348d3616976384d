using VirtioForwarder.Platform;

namespace VirtioForwarder.Ports.Bond;

/// <summary>
/// One member's part in one bond queue, as DPDK's bonding maps bond queue i to member queue i:
/// the member queue the bond queue's frames go out on, and the member queues it receives from
/// (queue i, and i + n, i + 2n… when the member has more queues than the bond's n, so no frame
/// waits in a queue nobody reads). The lane's AcquireTx/Transmit are called by two threads (the
/// relay's transmitting worker, and on queue 0 the bond's tick sending LACP and Marker frames),
/// so both hold <see cref="TxLock"/> for the length of one batch.
/// </summary>
internal sealed class BondLane(BondMember member, IPort tx, IPort[] rx)
{
    public BondMember Member { get; } = member;

    public IPort Tx { get; } = tx;

    public IPort[] Rx { get; } = rx;

    public Lock TxLock { get; } = new();

    /// <summary>Buffers lent by <see cref="Tx"/> for one batch, used under <see cref="TxLock"/>.</summary>
    public Frame[] TxFrames { get; } = new Frame[BondPort.MaxBatch];

    /// <summary>Bytes sent (under <see cref="TxLock"/>); TLB orders members by how fast their lanes' sum grows.</summary>
    public long TxBytes;
}
