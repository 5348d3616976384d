using VirtioForwarder.Platform;
using VirtioForwarder.Ports.Netdev;
using static VirtioForwarder.Ports.Packet.PacketInterop;

namespace VirtioForwarder.Ports.Packet;

/// <summary>
/// A kernel netdev (an SR-IOV VF, a veth) driven through one AF_PACKET socket: a TPACKET_V3 RX
/// ring and a TX ring mapped into this process, PACKET_QDISC_BYPASS on transmit, promiscuous
/// membership so frames for the VM's MAC arrive, PACKET_IGNORE_OUTGOING so the port does not
/// hear its own transmissions, and PACKET_VNET_HDR so offload state crosses with each frame both
/// ways (<see cref="Frame.Offload"/>): the kernel completes checksums and segments TCP for what we
/// send, as the device allows or in software, and hands over what it receives (a local sender's
/// partial checksums, GRO's merged frames) unresolved, for the guest to take or the relay to
/// resolve. Opening sets the interface up; Dispose closes the socket, which also drops the
/// promiscuous membership. A device with several queues gets a socket per queue (<see cref="Open"/>).
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
    // tp_drops resets as it is read and has 32 bits: each read adds it to the count.
    private readonly RxMissedCount _rxMissed;
    // Queue 0's port lists every queue's port (itself first) and owns the others.
    private PacketPort[] _queues = [];
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
        _rxMissed = new RxMissedCount(count => count + TakeDrops(fd));
    }

    public string Name { get; }

    public string InterfaceName { get; }

    /// <summary>The NUMA node of the netdev's PCI device; -1 if unknown.</summary>
    public int NumaNode { get; }

    /// <summary>Frames dropped on receive for being larger than the port's frame capacity (every queue's).</summary>
    public long RxOversize => _queues.Length == 0 ? _rx.Oversize : _queues.Sum(q => q._rx.Oversize);

    public bool CarriesOffloads => true;

    /// <summary>This socket's (a queue's) frames refused for exceeding the MTU; the relay reads each queue's own.</summary>
    public long TxOversize => _tx.Oversize;

    /// <summary>This socket's (a queue's) frames the kernel dropped with the RX ring full (tp_drops); each read asks the kernel.</summary>
    public long RxMissed => _rxMissed.Read();

    /// <summary>One port per socket, this one first, when the device has several queues; empty otherwise.</summary>
    public IReadOnlyList<IPort> Queues => _queues;

    /// <summary>
    /// The interface is up and has carrier (IFF_UP and IFF_RUNNING), as the kernel last said; asked
    /// at most every 100 ms, with the MTU, which may change at run time too. While it is up, each
    /// check also clears the socket's pending error (ENETDOWN from a link flap), which would
    /// otherwise keep poll() reporting POLLERR.
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

    /// <summary>
    /// Opens the port with a socket per device queue pair (ETHTOOL_GCHANNELS), at most
    /// <paramref name="maxQueues"/>, as <see cref="Xdp.XdpPort"/> does, so a port has as many
    /// queues whichever driver runs it: the device's channel count is how far the host spreads its
    /// receive work, and a guest with fewer queues takes several sockets' frames in one queue.
    /// Several sockets form a <see cref="PacketFanout"/> group and are listed in <see cref="Queues"/>,
    /// this port first; it owns and closes the others.
    /// </summary>
    internal static PacketPort Open(PortSpec spec, NetdevLocation netdev, int frameCapacity, int maxQueues)
    {
        string name = netdev.InterfaceName;
        int index = NetDeviceIoctl.Index(name);
        if (index == 0)
            throw new IOException(PortSpec.Describe(spec.Text, $"no network interface '{name}' in this namespace"));
        int queues = Math.Clamp(NetDeviceIoctl.QueuePairs(name), 1, Math.Max(1, maxQueues));
        if (queues == 1) return OpenSocket(spec.Text, netdev, index, frameCapacity, fanout: null);

        var opened = new List<PacketPort>(queues);
        try
        {
            opened.Add(OpenSocket(spec.Text, netdev, index, frameCapacity, fanout: null));
            ushort group = PacketFanout.Create(opened[0]._fd, name);
            for (int i = 1; i < queues; i++)
                opened.Add(OpenSocket($"{spec.Text} queue {i}", netdev, index, frameCapacity, group));
        }
        catch
        {
            foreach (var queue in opened) queue.Dispose();
            throw;
        }
        var port = opened[0];
        port._queues = [.. opened];
        Log.Info($"{spec.Text}: AF_PACKET on {name}, {queues} sockets in a fanout group by flow hash");
        return port;
    }

    /// <summary>One socket with its rings, bound to the device; it joins fanout group <paramref name="fanout"/> if one is given.</summary>
    private static PacketPort OpenSocket(string portName, NetdevLocation netdev, int index, int frameCapacity, ushort? fanout)
    {
        string name = netdev.InterfaceName;
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
            int gsoCapacity = Math.Max(frameCapacity, VirtioNetHeader.MaxGsoFrame);
            var rxGeometry = PacketRxRing.Request(PacketRxRing.BlockSizeFor(gsoCapacity));
            var txGeometry = PacketTxRing.Geometry(gsoCapacity);
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
            if (fanout is not null) PacketFanout.Mute(fd, name);
            Bind(fd, index, name);
            if (fanout is { } group) PacketFanout.Join(fd, group, name);
            var rx = new PacketRxRing(map, frameCapacity, gsoCapacity);
            var tx = new PacketTxRing(fd, map + rxBytes, txGeometry, gsoCapacity);
            var port = new PacketPort(portName, netdev, fd, map, mapLength, rx, tx);
            port.RefreshLink(Environment.TickCount64);
            return port;
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
        _rxMissed.Close();
        Libc.Munmap(_map, _mapLength);
        Libc.Close(_fd);
        foreach (var queue in _queues)
            if (queue != this) queue.Dispose();
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
        if (up)
        {
            ClearError(_fd);
            // The relay asks queue 0 before it sleeps on every queue's fd: clear theirs too.
            foreach (var queue in _queues) ClearError(queue._fd);
        }
        if (NetDeviceIoctl.TryGetMtu(_fd, InterfaceName, out int mtu)) _tx.Mtu = mtu;
        Volatile.Write(ref _linkUp, up);
    }
}
