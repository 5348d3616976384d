using VirtioForwarder.Platform;
using VirtioForwarder.Ports.Bond.Lacp;

namespace VirtioForwarder.Ports.Bond;

/// <summary>
/// One member port of a bond and what the bond keeps about it. The member's AcquireTx/Transmit
/// are called by two threads (the relay's transmitting worker, and the bond's tick sending LACP
/// and Marker frames), so both hold <see cref="TxLock"/> for the length of one batch.
/// </summary>
internal sealed class BondMember(IPort port, int index, MacAddress address)
{
    public IPort Port { get; } = port;
    public int Index { get; } = index;

    /// <summary>This link's own address: the source of its Slow Protocols frames (802.3ad), the address it advertises to its ARP clients (ALB).</summary>
    public MacAddress Address { get; } = address;

    public Lock TxLock { get; } = new();

    /// <summary>Buffers lent by the member for one batch, used under <see cref="TxLock"/>.</summary>
    public Frame[] TxFrames { get; } = new Frame[BondPort.MaxBatch];

    /// <summary>Bytes sent (under <see cref="TxLock"/>); TLB orders members by how fast this grows.</summary>
    public long TxBytes;

    /// <summary>Published by the tick for the receiving thread: frames from this link may go up (802.3ad collecting).</summary>
    public volatile bool Collecting;

    /// <summary>A Marker Response waiting for the tick to send it (written under the bond's control lock).</summary>
    public byte[] PendingControl { get; } = new byte[SlowProtocols.FrameSize];
    public bool HasPendingControl;
}
