using VirtioForwarder.Ports.Bond.Lacp;

namespace VirtioForwarder.Ports.Bond;

/// <summary>One member port of a bond and what the bond keeps about it across its queues.</summary>
internal sealed class BondMember(IPort port, int index, MacAddress address)
{
    public IPort Port { get; } = port;
    public int Index { get; } = index;

    /// <summary>This link's own address: the source of its Slow Protocols frames (802.3ad), the address it advertises to its ARP clients (ALB).</summary>
    public MacAddress Address { get; } = address;

    /// <summary>The member's queues as ports: its <see cref="IPort.Queues"/>, or the port itself when it has one queue.</summary>
    public IReadOnlyList<IPort> Queues { get; } = port.Queues.Count > 0 ? port.Queues : [port];

    /// <summary>Published by the tick for the receiving threads: frames from this link may go up (802.3ad collecting).</summary>
    public volatile bool Collecting;

    /// <summary>A Marker Response waiting for the tick to send it (written under the bond's control lock).</summary>
    public byte[] PendingControl { get; } = new byte[SlowProtocols.FrameSize];
    public bool HasPendingControl;
}
