using System.Diagnostics;
using VirtioForwarder.Platform;
using VirtioForwarder.Ports.Bond.Lacp;

namespace VirtioForwarder.Ports.Bond;

/// <summary>
/// 802.3ad: Slow Protocols frames are taken out of the received stream (LACPDUs go to the link's
/// machines, Marker Information is answered, as DPDK does) so none reaches the VM; data frames
/// from a link that is not collecting are dropped. A Slow Protocols frame reaches exactly one of
/// the bond's queues (whichever member queue the device or the kernel's fanout hash gave it), so
/// each is handled once, under the bond's lock. The tick runs the machines and sends the LACPDUs
/// and Marker Responses due, on the member's own link, through its queue 0 (as DPDK's bond sends
/// them through whichever queue transmits next: any queue of the link will do).
/// </summary>
public sealed unsafe partial class BondPort
{
    private readonly LacpGroup? _lacp;
    private long _lacpduSent, _lacpduReceived, _markerResponses;

    public long LacpduSent => Volatile.Read(ref _lacpduSent);
    public long LacpduReceived => Volatile.Read(ref _lacpduReceived);
    public long MarkerResponses => Volatile.Read(ref _markerResponses);

    /// <summary>802.3ad: each member's machine states, actor and partner, read under the bond's lock; empty in other modes.</summary>
    public IReadOnlyList<LacpLinkStatus> LacpStatus()
    {
        if (_lacp is null) return [];
        lock (_control)
            return [.. _lacp.Ports.Select(p => new LacpLinkStatus(p.ReceiveState, p.MuxState, p.Selected, p.Actor, p.Partner))];
    }

    /// <summary>Removes Slow Protocols frames and, unless the link collects, data frames; returns how many frames remain.</summary>
    private int KeepCollected(BondMember member, Span<Frame> frames)
    {
        bool collecting = member.Collecting;
        int kept = 0;
        foreach (ref readonly var frame in frames)
        {
            byte subtype = SlowProtocols.Subtype(frame.Bytes);
            if (subtype != 0) HandleSlowFrame(member, frame.Bytes, subtype);
            else if (!collecting) Interlocked.Increment(ref _rxNotCollectingDrops);
            else frames[kept++] = frame;
        }
        return kept;
    }

    private void HandleSlowFrame(BondMember member, ReadOnlySpan<byte> frame, byte subtype)
    {
        lock (_control)
        {
            if (_disposed) return;
            if (subtype == SlowProtocols.LacpSubtype)
            {
                if (!Lacpdu.TryDecode(frame, out var pdu)) return;
                _lacpduReceived++;
                _lacp!.Ports[member.Index].Receive(pdu, Stopwatch.GetTimestamp());
            }
            else if (MarkerPdu.IsInformation(frame) && !member.HasPendingControl)
            {
                frame[..SlowProtocols.FrameSize].CopyTo(member.PendingControl);
                MarkerPdu.ToResponse(member.PendingControl, member.Address);
                member.HasPendingControl = true;
            }
        }
    }

    /// <summary>Runs the machines, sends what is due, and publishes the distributing links as carriers.</summary>
    private void RunLacp(long now)
    {
        var lacp = _lacp!;
        lacp.Run(now, _up);
        int n = 0;
        foreach (var member in _members)
        {
            var port = lacp.Ports[member.Index];
            if (port.TryTakeTransmit(now, out var pdu) && SendControl(member, pdu, default))
                _lacpduSent++;
            if (member.HasPendingControl && SendControl(member, default, member.PendingControl))
                _markerResponses++;
            member.HasPendingControl = false;
            member.Collecting = port.Collecting;
            if (port.Distributing) _scratch[n++] = member.Index;
        }
        Publish(ref _carriers, _scratch.AsSpan(0, n));
    }

    /// <summary>Sends one Slow Protocols frame on the member: <paramref name="pdu"/> encoded, or <paramref name="frame"/> as it is when not empty.</summary>
    private bool SendControl(BondMember member, in Lacpdu pdu, ReadOnlySpan<byte> frame)
    {
        var lane = _queues[0].Lane(member.Index);
        lock (lane.TxLock)
        {
            var one = lane.TxFrames.AsSpan(0, 1);
            if (lane.Tx.AcquireTx(one) == 0) return false;
            var buffer = new Span<byte>(one[0].Data, one[0].Capacity);
            if (frame.IsEmpty) one[0].Length = pdu.Encode(buffer, member.Address);
            else
            {
                frame.CopyTo(buffer);
                one[0].Length = frame.Length;
            }
            return lane.Tx.Transmit(one, 1) == 1;
        }
    }
}

/// <summary>One 802.3ad link as its machines see it.</summary>
public sealed record LacpLinkStatus(
    LacpReceiveState Receive, LacpMuxState Mux, LacpSelection Selected, LacpPortInfo Actor, LacpPortInfo Partner)
{
    public bool Collecting => Actor.Has(LacpState.Collecting);
    public bool Distributing => Actor.Has(LacpState.Distributing);
}
