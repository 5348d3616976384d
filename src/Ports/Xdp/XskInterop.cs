using System.Runtime.InteropServices;
using VirtioForwarder.Platform;

namespace VirtioForwarder.Ports.Xdp;

/// <summary>The AF_XDP socket interface (linux/if_xdp.h) and the libc calls only it needs.</summary>
internal static unsafe partial class XskInterop
{
    public const int AF_XDP = 44, SOCK_RAW = 3, SOL_XDP = 283;
    public const int XDP_MMAP_OFFSETS = 1, XDP_RX_RING = 2, XDP_TX_RING = 3, XDP_UMEM_REG = 4,
        XDP_UMEM_FILL_RING = 5, XDP_UMEM_COMPLETION_RING = 6, XDP_STATISTICS = 7;
    public const ushort XDP_COPY = 1 << 1, XDP_ZEROCOPY = 1 << 2, XDP_USE_NEED_WAKEUP = 1 << 3;
    public const uint XDP_RING_NEED_WAKEUP = 1;
    public const long XDP_PGOFF_RX_RING = 0, XDP_PGOFF_TX_RING = 0x80000000,
        XDP_UMEM_PGOFF_FILL_RING = 0x100000000, XDP_UMEM_PGOFF_COMPLETION_RING = 0x180000000;

    // Busy polling (asm-generic/socket.h): poll the device from recvfrom/sendto instead of waiting for its interrupt.
    public const int SO_BUSY_POLL = 46, SO_PREFER_BUSY_POLL = 69, SO_BUSY_POLL_BUDGET = 70;

    // linux/if_link.h: which XDP hook BPF_LINK_CREATE attaches to.
    public const uint XDP_FLAGS_SKB_MODE = 1 << 1, XDP_FLAGS_DRV_MODE = 1 << 2;

    [StructLayout(LayoutKind.Sequential)]
    public struct SockaddrXdp
    {
        public ushort Family;
        public ushort Flags;
        public uint Ifindex;
        public uint QueueId;
        public uint SharedUmemFd;
    }

    /// <summary>struct xdp_umem_reg with tx_metadata_len (6.8+); older kernels take its first 28 bytes.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct UmemReg
    {
        public ulong Address;
        public ulong Length;
        public uint ChunkSize;
        public uint Headroom;
        public uint Flags;
        public uint TxMetadataLength;
    }

    /// <summary>Where a ring's producer index, consumer index, entries and flags sit in its mapping.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct RingOffset
    {
        public ulong Producer;
        public ulong Consumer;
        public ulong Descriptors;
        public ulong Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct MmapOffsets
    {
        public RingOffset Rx;
        public RingOffset Tx;
        public RingOffset Fill;
        public RingOffset Completion;
    }

    /// <summary>struct xdp_desc: one RX or TX ring entry, a frame's UMEM offset and length.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Descriptor
    {
        public ulong Address;
        public uint Length;
        public uint Options;
    }

    /// <summary>struct xdp_statistics: the socket's counts since it opened (kernels before 5.9 fill the first three).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Statistics
    {
        public ulong RxDropped, RxInvalidDescriptors, TxInvalidDescriptors, RxRingFull, RxFillRingEmpty, TxRingEmpty;
    }

    [LibraryImport("libc", EntryPoint = "getsockopt", SetLastError = true)]
    public static partial int GetSockOpt(int fd, int level, int optname, void* optval, uint* optlen);

    [LibraryImport("libc", EntryPoint = "sendto", SetLastError = true)]
    public static partial nint SendTo(int fd, void* buf, nuint len, int flags, void* addr, uint addrlen);

    [LibraryImport("libc", EntryPoint = "recvfrom", SetLastError = true)]
    public static partial nint RecvFrom(int fd, void* buf, nuint len, int flags, void* addr, uint* addrlen);

    public static void SetIntOption(int fd, int level, int option, int value, string what) =>
        Errno.Check(Libc.SetSockOpt(fd, level, option, &value, sizeof(int)), what);
}
