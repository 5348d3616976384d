namespace VirtioForwarder.Protocol;

/// <summary>
/// What each front-end request must look like before it is dispatched: its payload size and how
/// many fds it carries. Sizes follow the vhost-user spec's message payload list.
/// </summary>
internal static class MessageRules
{
    public const int U64 = 8;
    public const int VringStateSize = 8;
    public const int VringAddressSize = 40;
    public const int LogDescriptionSize = 16;
    public const int MemoryTableHeader = 8;    // u32 nregions, u32 padding
    public const int SingleRegionSize = 8 + MemoryRegion.Size; // u64 padding, region

    /// <summary>Checks size (and fd count where fixed); throws <see cref="ProtocolException"/> naming the fault.</summary>
    public static void Validate(ReceivedMessage m)
    {
        var request = m.Header.Request;
        int size = (int)m.Header.PayloadSize;
        switch (request)
        {
            case FrontendRequest.GetFeatures or FrontendRequest.GetProtocolFeatures or FrontendRequest.SetOwner
                or FrontendRequest.ResetOwner or FrontendRequest.GetQueueNum or FrontendRequest.GetMaxMemSlots
                or FrontendRequest.GetStatus:
                // Requests without a payload; some frontends send a zero u64, which is tolerated.
                Expect(m, size == 0 || size == U64, "0 or 8");
                Fds(m, 0);
                break;
            case FrontendRequest.SetFeatures or FrontendRequest.SetProtocolFeatures or FrontendRequest.NetSetMtu
                or FrontendRequest.SetStatus or FrontendRequest.SendRarp:
                Expect(m, size == U64, "8");
                Fds(m, 0);
                break;
            case FrontendRequest.SetVringNum or FrontendRequest.SetVringBase or FrontendRequest.GetVringBase
                or FrontendRequest.SetVringEnable:
                Expect(m, size == VringStateSize, "8");
                Fds(m, 0);
                break;
            case FrontendRequest.SetVringAddr:
                Expect(m, size == VringAddressSize, "40");
                Fds(m, 0);
                break;
            case FrontendRequest.SetVringKick or FrontendRequest.SetVringCall or FrontendRequest.SetVringErr:
                Expect(m, size == U64, "8");
                bool noFd = (m.Read<ulong>() & VringFdPayload.NoFdFlag) != 0;
                Fds(m, noFd ? 0 : 1);
                break;
            case FrontendRequest.SetMemTable:
                Expect(m, size >= MemoryTableHeader, "at least 8");
                uint regions = m.Read<uint>();
                if (regions == 0 || regions > ReceivedMessage.MaxFds || size != MemoryTableHeader + regions * MemoryRegion.Size)
                    throw new ProtocolException($"SET_MEM_TABLE: {regions} regions in a {size}-byte payload");
                Fds(m, (int)regions);
                break;
            case FrontendRequest.AddMemReg:
                Expect(m, size == SingleRegionSize, "40");
                Fds(m, 1);
                break;
            case FrontendRequest.RemMemReg:
                Expect(m, size == SingleRegionSize, "40");
                break; // QEMU may attach an fd here; it is ignored.
            case FrontendRequest.SetLogBase:
                Expect(m, size == LogDescriptionSize, "16");
                Fds(m, 1);
                break;
            case FrontendRequest.SetLogFd or FrontendRequest.SetBackendReqFd:
                Fds(m, 1);
                break;
            default:
                throw new ProtocolException($"unsupported request {(uint)request} ({request})");
        }
    }

    private static void Expect(ReceivedMessage m, bool ok, string expected)
    {
        if (!ok) throw new ProtocolException($"{m.Header.Request}: payload of {m.Header.PayloadSize} bytes, expected {expected}");
    }

    private static void Fds(ReceivedMessage m, int expected)
    {
        if (m.FdCount != expected) throw new ProtocolException($"{m.Header.Request}: {m.FdCount} fds attached, expected {expected}");
    }
}
