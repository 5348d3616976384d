using VirtioForwarder.Platform;

namespace VirtioForwarder.Ports.Xdp;

/// <summary>
/// An AF_XDP socket bound to one (interface, queue), with its UMEM and four rings mapped (kernel
/// doc networking/af_xdp): the UMEM is one anonymous mapping cut into equal page-sized frames;
/// the fill and completion rings carry frame offsets (to the kernel for RX, back from it after
/// TX), the RX and TX rings carry descriptors. Dispose closes the socket and unmaps everything.
/// </summary>
internal sealed unsafe class XskSocket : IDisposable
{
    /// <summary>A frame is a page: room for any Ethernet frame the relay carries plus the kernel's XDP headroom.</summary>
    public const int FrameSize = 4096;

    private readonly nuint _umemLength;
    private bool _disposed;

    private XskSocket(int fd, byte* umem, nuint umemLength)
    {
        Fd = fd;
        Umem = umem;
        _umemLength = umemLength;
    }

    public int Fd { get; }

    /// <summary>The UMEM; frame offsets in every ring are relative to it.</summary>
    public byte* Umem { get; }

    public XskProducerRing Fill { get; private set; } = null!;
    public XskConsumerRing Completion { get; private set; } = null!;
    public XskConsumerRing Rx { get; private set; } = null!;
    public XskProducerRing Tx { get; private set; } = null!;

    /// <summary>Whether the kernel accepted XDP_ZEROCOPY, so frames move by DMA straight into the UMEM.</summary>
    public bool ZeroCopy { get; private set; }

    /// <summary>
    /// Opens a socket over <paramref name="frameCount"/> frames, half for RX (each ring
    /// <paramref name="frameCount"/>/2 entries, so every RX frame fits the fill ring and every TX
    /// frame the completion ring) and binds it with <paramref name="bindFlags"/>.
    /// </summary>
    public static XskSocket Open(int ifindex, int queue, uint frameCount, ushort bindFlags)
    {
        int fd = (int)Errno.Check(Libc.Socket(XskInterop.AF_XDP, XskInterop.SOCK_RAW | Libc.SOCK_CLOEXEC, 0), "socket(AF_XDP)");
        nuint umemLength = (nuint)frameCount * FrameSize;
        void* umem = Libc.Mmap(null, umemLength, Libc.PROT_READ | Libc.PROT_WRITE,
            Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS | Libc.MAP_POPULATE, -1, 0);
        if (umem == Libc.MAP_FAILED)
        {
            int errno = Errno.Last;
            Libc.Close(fd);
            throw new SystemCallException("mmap of the AF_XDP UMEM", errno);
        }
        var socket = new XskSocket(fd, (byte*)umem, umemLength);
        try
        {
            socket.Set(ifindex, queue, frameCount / 2, bindFlags);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private void Set(int ifindex, int queue, uint ringSize, ushort bindFlags)
    {
        var registration = new XskInterop.UmemReg { Address = (ulong)Umem, Length = _umemLength, ChunkSize = FrameSize };
        Errno.Check(Libc.SetSockOpt(Fd, XskInterop.SOL_XDP, XskInterop.XDP_UMEM_REG, &registration, (uint)sizeof(XskInterop.UmemReg)), "setsockopt XDP_UMEM_REG");
        XskInterop.SetIntOption(Fd, XskInterop.SOL_XDP, XskInterop.XDP_UMEM_FILL_RING, (int)ringSize, "setsockopt XDP_UMEM_FILL_RING");
        XskInterop.SetIntOption(Fd, XskInterop.SOL_XDP, XskInterop.XDP_UMEM_COMPLETION_RING, (int)ringSize, "setsockopt XDP_UMEM_COMPLETION_RING");
        XskInterop.SetIntOption(Fd, XskInterop.SOL_XDP, XskInterop.XDP_RX_RING, (int)ringSize, "setsockopt XDP_RX_RING");
        XskInterop.SetIntOption(Fd, XskInterop.SOL_XDP, XskInterop.XDP_TX_RING, (int)ringSize, "setsockopt XDP_TX_RING");

        XskInterop.MmapOffsets offsets;
        uint length = (uint)sizeof(XskInterop.MmapOffsets);
        Errno.Check(XskInterop.GetSockOpt(Fd, XskInterop.SOL_XDP, XskInterop.XDP_MMAP_OFFSETS, &offsets, &length), "getsockopt XDP_MMAP_OFFSETS");
        Fill = new XskProducerRing(Fd, offsets.Fill, XskInterop.XDP_UMEM_PGOFF_FILL_RING, ringSize, sizeof(ulong), "fill");
        Completion = new XskConsumerRing(Fd, offsets.Completion, XskInterop.XDP_UMEM_PGOFF_COMPLETION_RING, ringSize, sizeof(ulong), "completion");
        Rx = new XskConsumerRing(Fd, offsets.Rx, XskInterop.XDP_PGOFF_RX_RING, ringSize, sizeof(XskInterop.Descriptor), "RX");
        Tx = new XskProducerRing(Fd, offsets.Tx, XskInterop.XDP_PGOFF_TX_RING, ringSize, sizeof(XskInterop.Descriptor), "TX");

        var address = new XskInterop.SockaddrXdp { Family = XskInterop.AF_XDP, Flags = bindFlags, Ifindex = (uint)ifindex, QueueId = (uint)queue };
        Errno.Check(Libc.Bind(Fd, &address, (uint)sizeof(XskInterop.SockaddrXdp)), $"bind AF_XDP socket to ifindex {ifindex} queue {queue}");
        ZeroCopy = (bindFlags & XskInterop.XDP_ZEROCOPY) != 0;
    }

    /// <summary>Asks the kernel to look at the fill ring (RX) without blocking; with busy polling this also runs the device's poll.</summary>
    public void WakeRx() => XskInterop.RecvFrom(Fd, null, 0, Libc.MSG_DONTWAIT, null, null);

    /// <summary>Asks the kernel to send what the TX ring holds; failures (EAGAIN, ENOBUFS, ENETDOWN) leave it there for the next wake.</summary>
    public void WakeTx() => XskInterop.SendTo(Fd, null, 0, Libc.MSG_DONTWAIT, null, 0);

    /// <summary>
    /// Frames the kernel dropped on their way into this socket since it opened (XDP_STATISTICS):
    /// the RX ring full (rx_ring_full) or no buffer to copy into (rx_dropped: the fill ring empty,
    /// or a frame longer than a buffer); null if it cannot tell. rx_fill_ring_empty_descs is left
    /// out: in copy mode each such frame is in rx_dropped already, and in zero-copy mode the
    /// device drops it, counted in the device's own statistics.
    /// </summary>
    public long? RxDrops()
    {
        XskInterop.Statistics stats = default;
        uint length = (uint)sizeof(XskInterop.Statistics);
        if (XskInterop.GetSockOpt(Fd, XskInterop.SOL_XDP, XskInterop.XDP_STATISTICS, &stats, &length) < 0) return null;
        return (long)(stats.RxDropped + stats.RxRingFull);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Libc.Close(Fd);
        Fill?.Dispose();
        Completion?.Dispose();
        Rx?.Dispose();
        Tx?.Dispose();
        Libc.Munmap(Umem, _umemLength);
    }
}
