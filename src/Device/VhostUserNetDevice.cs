using VirtioForwarder.Memory;
using VirtioForwarder.Platform;
using VirtioForwarder.Protocol;
using VirtioForwarder.Virtqueue;
using static VirtioForwarder.Device.VirtioNetFeatures;

namespace VirtioForwarder.Device;

/// <summary>
/// One vhost-user net device: the state a frontend builds up over one connection (features,
/// guest memory, rings) and the queues the relay's workers move frames through. The control
/// thread calls the request methods; a live ring is only changed while holding it exclusively.
/// </summary>
public sealed partial class VhostUserNetDevice : IFrontendRequestHandler, IDisposable
{
    private const ulong SupportedProtocolFeatures = (ulong)(ProtocolFeatures.Mq | ProtocolFeatures.LogShmfd
        | ProtocolFeatures.Rarp | ProtocolFeatures.ReplyAck | ProtocolFeatures.Mtu | ProtocolFeatures.BackendReq
        | ProtocolFeatures.Status);

    private readonly DeviceOptions _options;
    private readonly GuestQueue?[] _queues;
    private readonly ulong _baseFeatures;
    private ulong _offeredFeatures;
    private ulong _features;
    private GuestMemory? _memory;
    private DirtyLog? _dirtyLog;
    private Connection? _backendChannel;
    private byte _status;
    private int _broken;
    private QueueSet _live = QueueSet.Empty;

    public VhostUserNetDevice(string name, DeviceOptions options)
    {
        Name = name;
        _options = options;
        _queues = new GuestQueue?[options.MaxQueuePairs * 2];
        // IN_ORDER costs nothing: the queues already use every chain in the order it was made
        // available, writing each used element (allowed by virtio 1.2 §2.7.9, §2.8.9), and it puts
        // DPDK's virtio_user on its faster in-order paths.
        _baseFeatures = Bit(VersionOne) | Bit(AnyLayout) | Bit(IndirectDesc) | Bit(EventIdx) | Bit(Mq)
            | Bit(VirtioNetFeatures.Mtu) | Bit(GuestAnnounce) | Bit(LogAll) | Bit(ProtocolFeaturesBit) | Bit(InOrder)
            | Bit(RingPacked)
            | (options.MergeableRxBuffers ? Bit(MrgRxbuf) : 0);
        _offeredFeatures = _baseFeatures;
    }

    /// <summary>
    /// Asked at GET_FEATURES: whether the host side can carry <see cref="VirtioNetFeatures.Offloads"/>
    /// now, so they are offered; unset or false offers none.
    /// </summary>
    public Func<bool>? OffloadsCarried { get; set; }

    /// <summary>Names the device in log lines (the socket path).</summary>
    public string Name { get; }

    /// <summary>The live queues; read by workers on every pass.</summary>
    public QueueSet LiveQueues => Volatile.Read(ref _live);

    /// <summary>Raised on the control thread after the live queue set changed.</summary>
    public event Action<VhostUserNetDevice>? QueuesChanged;

    /// <summary>Raised (once, on a worker thread) when the guest handed a malformed chain: the connection must end.</summary>
    public event Action<VhostUserNetDevice, string>? Broken;

    public ulong NegotiatedFeatures => _features;
    public ulong Mtu { get; private set; }
    public ProtocolFeatures NegotiatedProtocolFeatures { get; private set; }
    public int MaxQueues => _queues.Length;

    /// <summary>Reports a malformed ring from the data path; the first report wins.</summary>
    public void ReportBroken(string reason)
    {
        if (Interlocked.Exchange(ref _broken, 1) == 0) Broken?.Invoke(this, reason);
    }

    // ---- features and ownership ----

    public ulong GetFeatures()
    {
        _offeredFeatures = _baseFeatures | (OffloadsCarried?.Invoke() == true ? Offloads : 0);
        return _offeredFeatures;
    }

    public void SetFeatures(ulong features)
    {
        if ((features & ~_offeredFeatures) != 0)
            throw new ProtocolException($"SET_FEATURES 0x{features:x} has bits never offered (offered 0x{_offeredFeatures:x})");
        _features = features;
        Log.Info($"{Name}: negotiated virtio features 0x{features:x}");
        for (int i = 0; i < _queues.Length; i++)
            if (_queues[i] is { } q) WithExclusive(q, () => _queues[i] = InFormat(q));
        PublishLiveQueues();
    }

    public ulong GetProtocolFeatures() => SupportedProtocolFeatures;

    public void SetProtocolFeatures(ulong features)
    {
        if ((features & ~SupportedProtocolFeatures) != 0)
            throw new ProtocolException($"SET_PROTOCOL_FEATURES 0x{features:x} has bits never offered");
        NegotiatedProtocolFeatures = (ProtocolFeatures)features;
        Log.Debug($"{Name}: negotiated protocol features 0x{features:x}");
    }

    public void SetOwner() { }

    /// <summary>RESET_OWNER (deprecated): back to the state of a fresh connection.</summary>
    public void ResetOwner()
    {
        StopAllRings();
        _features = 0;
    }

    public ulong GetQueueNum() => (ulong)_options.MaxQueuePairs;

    public void SetStatus(byte status)
    {
        _status = status;
        Log.Debug($"{Name}: device status 0x{status:x2}");
    }

    public byte GetStatus() => _status;

    public void SendRarp(ReadOnlySpan<byte> mac) =>
        Log.Info($"{Name}: SEND_RARP for {Convert.ToHexString(mac)} (guest announces itself)");

    public void SetMtu(ulong mtu)
    {
        if (mtu is < 68 or > 65535) throw new ProtocolException($"NET_SET_MTU {mtu} out of range 68..65535");
        Mtu = mtu;
    }

    public void SetBackendReqFd(int fd)
    {
        _backendChannel?.Dispose();
        _backendChannel = new Connection(fd); // for backend-initiated messages (IOTLB misses, later)
    }

    private QueueFeatures QueueFeatures() => new(
        EventIdx: Has(_features, EventIdx),
        IndirectDesc: Has(_features, IndirectDesc),
        Mergeable: Has(_features, MrgRxbuf),
        // virtio 1.2 §5.1.6: the header has num_buffers whenever VERSION_1 or MRG_RXBUF is on.
        NetHeaderLength: Has(_features, VersionOne) || Has(_features, MrgRxbuf) ? 12 : 10,
        LogAll: Has(_features, LogAll),
        HostOffloads: Has(_features, Csum));

    public void Dispose()
    {
        StopAllRings();
        foreach (var q in _queues) q?.Dispose();
        _memory?.Dispose();
        _memory = null;
        _dirtyLog?.Dispose();
        _backendChannel?.Dispose();
    }
}
