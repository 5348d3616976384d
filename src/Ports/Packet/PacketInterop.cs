using System.Runtime.InteropServices;
using VirtioForwarder.Platform;

namespace VirtioForwarder.Ports.Packet;

/// <summary>
/// AF_PACKET sockets and their mmap'ed rings (linux/if_packet.h; Documentation/networking/packet_mmap.rst).
/// </summary>
internal static unsafe partial class PacketInterop
{
    public const int AF_PACKET = 17, SOCK_RAW = 3, SOL_PACKET = 263;
    public const int PACKET_ADD_MEMBERSHIP = 1, PACKET_RX_RING = 5, PACKET_VERSION = 10, PACKET_TX_RING = 13,
        PACKET_STATISTICS = 6, PACKET_LOSS = 14, PACKET_VNET_HDR = 15, PACKET_FANOUT = 18, PACKET_QDISC_BYPASS = 20, PACKET_IGNORE_OUTGOING = 23;
    public const int TPACKET_V3 = 2, PACKET_MR_PROMISC = 1, SO_ERROR = 4, SO_SNDBUF = 7, SO_SNDBUFFORCE = 32;
    public const int ENXIO = 6, ENETDOWN = 100;
    public const int SO_ATTACH_FILTER = 26, SO_DETACH_FILTER = 27;

    // PACKET_FANOUT's mode and flags (the option's upper 16 bits; the lower 16 are the group id).
    public const int PACKET_FANOUT_HASH = 0, PACKET_FANOUT_FLAG_UNIQUEID = 0x2000, PACKET_FANOUT_FLAG_IGNORE_OUTGOING = 0x4000;

    /// <summary>ETH_P_ALL in network byte order, as sockaddr_ll wants it.</summary>
    public const ushort AllProtocolsBigEndian = 0x0300;

    // tp_status bits. RX: the block or frame belongs to the kernel or to us. TX: free, queued, in flight.
    public const uint TP_STATUS_KERNEL = 0, TP_STATUS_USER = 1, TP_STATUS_VLAN_VALID = 0x10, TP_STATUS_VLAN_TPID_VALID = 0x40;
    public const uint TP_STATUS_AVAILABLE = 0, TP_STATUS_SEND_REQUEST = 1, TP_STATUS_SENDING = 2;

    /// <summary>Where a TX frame's data starts in its slot: TPACKET3_HDRLEN less the sockaddr_ll the kernel keeps for RX.</summary>
    public const int TxDataOffset = 48;

    /// <summary>struct tpacket_req3: the geometry of one ring.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct TpacketReq3
    {
        public uint BlockSize, BlockCount, FrameSize, FrameCount, RetireBlockTimeoutMs, SizeofPriv, FeatureReqWord;
    }

    /// <summary>struct tpacket_block_desc with its tpacket_hdr_v1: the head of each RX block.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct BlockDescriptor
    {
        public uint Version, OffsetToPriv, Status, PacketCount, OffsetToFirstPacket, Length;
    }

    /// <summary>struct tpacket3_hdr: the head of each frame, RX or TX.</summary>
    [StructLayout(LayoutKind.Sequential, Size = 48)]
    public struct Tpacket3Header
    {
        public uint NextOffset, Seconds, Nanoseconds, SnapLength, Length, Status;
        public ushort MacOffset, NetworkOffset;
        public uint RxHash, VlanTci;
        public ushort VlanTpid;
    }

    /// <summary>struct tpacket_stats_v3: what PACKET_STATISTICS reports, and resets, per socket.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct TpacketStatsV3
    {
        public uint Packets, Drops, FreezeQueueCount;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct SockaddrLl
    {
        public ushort Family, Protocol;
        public int InterfaceIndex;
        public ushort HardwareType;
        public byte PacketType, AddressLength;
        public fixed byte Address[8];
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct PacketMreq
    {
        public int InterfaceIndex;
        public ushort Type, AddressLength;
        public fixed byte Address[8];
    }

    /// <summary>struct sock_filter: one classic BPF instruction.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct SockFilter
    {
        public ushort Code;
        public byte JumpTrue, JumpFalse;
        public uint K;
    }

    /// <summary>struct sock_fprog: a classic BPF program for SO_ATTACH_FILTER.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct SockFprog
    {
        public ushort Length;
        public SockFilter* Filter;
    }

    [LibraryImport("libc", EntryPoint = "send", SetLastError = true)]
    public static partial nint Send(int fd, void* buf, nuint length, int flags);

    [LibraryImport("libc", EntryPoint = "getsockopt", SetLastError = true)]
    public static partial int GetSockOpt(int fd, int level, int name, void* value, uint* length);

    public static void SetOption<T>(int fd, int name, T value, string what) where T : unmanaged =>
        Errno.Check(Libc.SetSockOpt(fd, SOL_PACKET, name, &value, (uint)sizeof(T)), $"{what}: setsockopt {OptionName(name)}");

    /// <summary>
    /// Lets the socket have <paramref name="bytes"/> of frames in flight. The TX ring's frames are
    /// charged to the send buffer until the device frees them; with the default (about 200 KiB)
    /// a full ring would make send() stop early and leave frames queued until the next batch.
    /// Beyond net.core.wmem_max only with CAP_NET_ADMIN; without it, the kernel's cap applies.
    /// </summary>
    public static void SetSendBuffer(int fd, int bytes)
    {
        if (Libc.SetSockOpt(fd, Libc.SOL_SOCKET, SO_SNDBUFFORCE, &bytes, sizeof(int)) < 0)
            Libc.SetSockOpt(fd, Libc.SOL_SOCKET, SO_SNDBUF, &bytes, sizeof(int));
    }

    /// <summary>Reads and so clears the socket's pending error (ENETDOWN after a link flap), which would keep poll() reporting POLLERR.</summary>
    public static void ClearError(int fd)
    {
        int error;
        uint length = sizeof(int);
        GetSockOpt(fd, Libc.SOL_SOCKET, SO_ERROR, &error, &length);
    }

    /// <summary>
    /// Frames the kernel dropped for a full RX ring since the last call (tp_drops: PACKET_STATISTICS
    /// resets the socket's counts as it reports them); 0 if it cannot tell.
    /// </summary>
    public static uint TakeDrops(int fd)
    {
        TpacketStatsV3 stats;
        uint length = (uint)sizeof(TpacketStatsV3);
        return GetSockOpt(fd, SOL_PACKET, PACKET_STATISTICS, &stats, &length) == 0 ? stats.Drops : 0;
    }

    private static string OptionName(int name) => name switch
    {
        PACKET_ADD_MEMBERSHIP => "PACKET_ADD_MEMBERSHIP",
        PACKET_RX_RING => "PACKET_RX_RING",
        PACKET_VERSION => "PACKET_VERSION",
        PACKET_TX_RING => "PACKET_TX_RING",
        PACKET_LOSS => "PACKET_LOSS",
        PACKET_VNET_HDR => "PACKET_VNET_HDR",
        PACKET_FANOUT => "PACKET_FANOUT",
        PACKET_QDISC_BYPASS => "PACKET_QDISC_BYPASS",
        PACKET_IGNORE_OUTGOING => "PACKET_IGNORE_OUTGOING",
        _ => $"option {name}",
    };
}
