using System.Runtime.InteropServices;

namespace VirtioForwarder.Protocol;

/// <summary>
/// Turns one validated message into a call on the device and sends what the spec says comes back:
/// the reply of a GET request, or, when REPLY_ACK is negotiated and the frontend set NEED_REPLY,
/// a u64 status (0 = success). A failure is reported in that ack if one was asked for and then
/// rethrown, so the caller ends the connection (vhost-user spec, "Communication").
/// </summary>
public sealed class RequestDispatcher(IFrontendRequestHandler device, Connection connection)
{
    public void Dispatch(ReceivedMessage m)
    {
        bool ackWanted = m.Header.NeedsReply
            && (device.NegotiatedProtocolFeatures & ProtocolFeatures.ReplyAck) != 0;
        try
        {
            MessageRules.Validate(m);
            bool replied = Handle(m);
            if (ackWanted && !replied) Ack(m.Header.Request, 0);
        }
        catch (ProtocolException)
        {
            if (ackWanted) TryAck(m.Header.Request, 1);
            throw;
        }
        finally
        {
            m.CloseUntakenFds();
        }
    }

    /// <summary>Runs the request; true if it already sent its own reply.</summary>
    private bool Handle(ReceivedMessage m)
    {
        var request = m.Header.Request;
        switch (request)
        {
            case FrontendRequest.GetFeatures: ReplyU64(request, device.GetFeatures()); return true;
            case FrontendRequest.SetFeatures: device.SetFeatures(m.Read<ulong>()); return false;
            case FrontendRequest.GetProtocolFeatures: ReplyU64(request, device.GetProtocolFeatures()); return true;
            case FrontendRequest.SetProtocolFeatures: device.SetProtocolFeatures(m.Read<ulong>()); return false;
            case FrontendRequest.SetOwner: device.SetOwner(); return false;
            case FrontendRequest.ResetOwner: device.ResetOwner(); return false;
            case FrontendRequest.SetMemTable: SetMemTable(m); return false;
            case FrontendRequest.GetMaxMemSlots: ReplyU64(request, device.GetMaxMemSlots()); return true;
            case FrontendRequest.AddMemReg: device.AddMemRegion(m.ReadAt<MemoryRegion>(8), m.TakeFd(0)); return false;
            case FrontendRequest.RemMemReg: device.RemoveMemRegion(m.ReadAt<MemoryRegion>(8)); return false;
            case FrontendRequest.SetLogBase:
                device.SetLogBase(m.Read<LogDescription>(), m.TakeFd(0));
                // With LOG_SHMFD the backend confirms the new log; QEMU reads a reply with no payload
                // (as DPDK's lib/vhost sends it), since the spec leaves the payload open.
                connection.Reply(request, ReadOnlySpan<byte>.Empty);
                return true;
            case FrontendRequest.SetLogFd: device.SetLogFd(m.TakeFd(0)); return false;
            case FrontendRequest.SetVringNum: { var s = State(m); device.SetVringNum(s.Index, s.Num); return false; }
            case FrontendRequest.SetVringAddr:
                var addr = m.Read<VringAddress>();
                CheckIndex(request, addr.Index);
                device.SetVringAddr(addr);
                return false;
            case FrontendRequest.SetVringBase: { var s = State(m); device.SetVringBase(s.Index, s.Num); return false; }
            case FrontendRequest.GetVringBase:
            {
                var s = State(m);
                var reply = new VringState { Index = s.Index, Num = device.GetVringBase(s.Index) };
                connection.Reply(request, MemoryMarshal.AsBytes(new ReadOnlySpan<VringState>(in reply)));
                return true;
            }
            case FrontendRequest.SetVringKick or FrontendRequest.SetVringCall or FrontendRequest.SetVringErr:
                SetVringFd(m);
                return false;
            case FrontendRequest.SetVringEnable: { var s = State(m); device.SetVringEnable(s.Index, s.Num != 0); return false; }
            case FrontendRequest.GetQueueNum: ReplyU64(request, device.GetQueueNum()); return true;
            case FrontendRequest.SendRarp: device.SendRarp(m.Payload[..6]); return false;
            case FrontendRequest.NetSetMtu: device.SetMtu(m.Read<ulong>()); return false;
            case FrontendRequest.SetBackendReqFd: device.SetBackendReqFd(m.TakeFd(0)); return false;
            case FrontendRequest.SetStatus: device.SetStatus((byte)m.Read<ulong>()); return false;
            case FrontendRequest.GetStatus: ReplyU64(request, device.GetStatus()); return true;
            default: throw new ProtocolException($"unsupported request {(uint)request}");
        }
    }

    private void SetMemTable(ReceivedMessage m)
    {
        int count = (int)m.Read<uint>();
        var regions = new MemoryRegion[count];
        var fds = new int[count];
        for (int i = 0; i < count; i++)
        {
            regions[i] = m.ReadAt<MemoryRegion>(MessageRules.MemoryTableHeader + i * MemoryRegion.Size);
            fds[i] = m.TakeFd(i);
        }
        device.SetMemTable(regions, fds);
    }

    private void SetVringFd(ReceivedMessage m)
    {
        ulong payload = m.Read<ulong>();
        uint index = (uint)(payload & VringFdPayload.IndexMask);
        CheckIndex(m.Header.Request, index);
        int fd = (payload & VringFdPayload.NoFdFlag) != 0 ? -1 : m.TakeFd(0);
        switch (m.Header.Request)
        {
            case FrontendRequest.SetVringKick: device.SetVringKick(index, fd); break;
            case FrontendRequest.SetVringCall: device.SetVringCall(index, fd); break;
            default: device.SetVringErr(index, fd); break;
        }
    }

    private VringState State(ReceivedMessage m)
    {
        var s = m.Read<VringState>();
        CheckIndex(m.Header.Request, s.Index);
        return s;
    }

    private void CheckIndex(FrontendRequest request, uint index)
    {
        if (index >= (uint)device.MaxQueues)
            throw new ProtocolException($"{request}: queue index {index} out of range (device has {device.MaxQueues})");
    }

    private void ReplyU64(FrontendRequest request, ulong value) =>
        connection.Reply(request, MemoryMarshal.AsBytes(new ReadOnlySpan<ulong>(in value)));

    private void Ack(FrontendRequest request, ulong status) => ReplyU64(request, status);

    private void TryAck(FrontendRequest request, ulong status)
    {
        try { Ack(request, status); } catch (ProtocolException) { /* the connection is ending anyway */ }
    }
}
