using VirtioForwarder.Platform;
using VirtioForwarder.Ports.Netdev;
using static VirtioForwarder.Ports.Packet.PacketInterop;

namespace VirtioForwarder.Ports.Packet;

/// <summary>
/// A kernel netdev (an SR-IOV VF, a veth) driven through one AF_PACKET socket: a TPACKET_V3 RX
/// ring and a TX ring mapped into this process, PACKET_QDISC_BYPASS on transmit, promiscuous
/// membership so frames for the VM's MAC arrive, PACKET_IGNORE_OUTGOING so the port does not
/// hear its own transmissions, and PACKET_VNET_HDR so offload state arrives with each frame
/// (<see cref="VnetHeader"/>). Opening sets the interface up; Dispose closes the socket, which
/// also drops the promiscuous membership.
/// </summary>
public sealed unsafe class PacketPort : IPort
{
    // How often LinkUp asks the kernel: the relay reads it per batch, the kernel is asked at most this often.
    private const long LinkCheckIntervalMs = 100;

    private readonly int _fd;
    private readonly byte* _map;
    private readonly nuint _mapLength;
    private readonly PacketRxRing _rx;
    private readonly PacketTxRing _tx;
    private long _linkCheckDue;
    private bool _linkUp = true;
    private bool _disposed;

    private PacketPort(string name, NetdevLocation netdev, int fd, byte* map, nuint mapLength, PacketRxRing rx, PacketTxRing tx)
    {
        Name = name;
        InterfaceName = netdev.InterfaceName;
        NumaNode = netdev.NumaNode;
        _fd = fd;
        _map = map;
        _mapLength = mapLength;
        _rx = rx;
        _tx = tx;
    }

    public string Name { get; }

    public string InterfaceName { get; }

    /// <summary>The NUMA node of the netdev's PCI device; -1 if unknown.</summary>
    public int NumaNode { get; }

    /// <summary>Frames dropped on receive for being larger than the port's frame capacity.</summary>
    public long RxOversize => _rx.Oversize;

    /// <summary>Frames dropped on receive because their offload state could not be resolved (an unsegmented GSO frame).</summary>
    public long RxBadOffload => _rx.BadOffload;

    /// <summary>
    /// The interface is up and has carrier (IFF_UP and IFF_RUNNING), as the kernel last said; asked
    /// at most every 100 ms. While it is up, each check also clears the socket's pending error
    /// (ENETDOWN from a link flap), which would otherwise keep poll() reporting POLLERR.
    /// </summary>
    public bool LinkUp
    {
        get
        {
            long now = Environment.TickCount64;
            if (now >= Volatile.Read(ref _linkCheckDue)) RefreshLink(now);
            return Volatile.Read(ref _linkUp);
        }
    }

    public int ReadinessFd => _fd;

    internal static PacketPort Open(PortSpec spec, NetdevLocation netdev, int frameCapacity)
    {
        string name = netdev.InterfaceName;
        int index = NetDeviceIoctl.Index(name);
        if (index == 0)
            throw new IOException(PortSpec.Describe(spec.Text, $"no network interface '{name}' in this namespace"));
        // Protocol 0: nothing is received until bind(), after the rings exist.
        int fd = (int)Errno.Check(Libc.Socket(AF_PACKET, SOCK_RAW | Libc.SOCK_NONBLOCK | Libc.SOCK_CLOEXEC, 0), $"AF_PACKET socket for {name}");
        byte* map = null;
        nuint mapLength = 0;
        try
        {
            SetOption(fd, PACKET_VERSION, TPACKET_V3, name);
            SetOption(fd, PACKET_VNET_HDR, 1, name);
            SetOption(fd, PACKET_QDISC_BYPASS, 1, name);
            // A frame the kernel refuses is skipped (marked AVAILABLE) instead of stalling the ring.
            SetOption(fd, PACKET_LOSS, 1, name);
            SetOption(fd, PACKET_IGNORE_OUTGOING, 1, name);
            var rxGeometry = PacketRxRing.Request(PacketRxRing.BlockSizeFor(frameCapacity));
            var txGeometry = PacketTxRing.Geometry(frameCapacity);
            SetOption(fd, PACKET_RX_RING, rxGeometry, name);
            SetOption(fd, PACKET_TX_RING, txGeometry, name);
            nuint rxBytes = (nuint)rxGeometry.BlockSize * rxGeometry.BlockCount;
            nuint txBytes = (nuint)txGeometry.BlockSize * txGeometry.BlockCount;
            mapLength = rxBytes + txBytes;
            // Twice the ring: each frame's skb also costs its own head on top of the ring's bytes.
            SetSendBuffer(fd, (int)(2 * txBytes));
            map = (byte*)Libc.Mmap(null, mapLength, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED, fd, 0);
            if (map == Libc.MAP_FAILED)
            {
                map = null;
                throw new SystemCallException($"{name}: mmap of the packet rings", Errno.Last);
            }
            // Up before bind: binding to a down device leaves ENETDOWN pending, failing the first send().
            NetDeviceIoctl.SetUp(name);
            Bind(fd, index, name);
            var rx = new PacketRxRing(map, frameCapacity);
            var tx = new PacketTxRing(fd, map + rxBytes, txGeometry, frameCapacity);
            return new PacketPort(spec.Text, netdev, fd, map, mapLength, rx, tx);
        }
        catch
        {
            if (map != null) Libc.Munmap(map, mapLength);
            Libc.Close(fd);
            throw;
        }
    }

    public int Receive(Span<Frame> frames) => _rx.Receive(frames);

    public int AcquireTx(Span<Frame> frames) => _tx.AcquireTx(frames);

    public int Transmit(Span<Frame> frames, int count) => _tx.Transmit(frames, count);

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Libc.Munmap(_map, _mapLength);
        Libc.Close(_fd);
    }

    private static void Bind(int fd, int index, string name)
    {
        var address = new SockaddrLl { Family = AF_PACKET, Protocol = AllProtocolsBigEndian, InterfaceIndex = index };
        Errno.Check(Libc.Bind(fd, &address, (uint)sizeof(SockaddrLl)), $"{name}: bind");
        var promiscuous = new PacketMreq { InterfaceIndex = index, Type = PACKET_MR_PROMISC };
        SetOption(fd, PACKET_ADD_MEMBERSHIP, promiscuous, name);
    }

    private void RefreshLink(long now)
    {
        Volatile.Write(ref _linkCheckDue, now + LinkCheckIntervalMs);
        bool up = NetDeviceIoctl.TryGetFlags(_fd, InterfaceName, out short flags)
            && (flags & (NetDeviceIoctl.IFF_UP | NetDeviceIoctl.IFF_RUNNING)) == (NetDeviceIoctl.IFF_UP | NetDeviceIoctl.IFF_RUNNING);
        if (up) ClearError(_fd);
        Volatile.Write(ref _linkUp, up);
    }
}
