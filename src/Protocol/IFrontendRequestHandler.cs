namespace VirtioForwarder.Protocol;

/// <summary>
/// What a vhost-user device does for each front-end request (the backend's half of the protocol).
/// <see cref="RequestDispatcher"/> validates a message before it calls here, so payloads have the
/// right size and queue indexes are below <see cref="MaxQueues"/>. Methods that take fds own them.
/// A method throws <see cref="ProtocolException"/> to refuse a request; the connection then ends.
/// </summary>
public interface IFrontendRequestHandler
{
    /// <summary>Most virtqueues the device has (2 per queue pair for net).</summary>
    int MaxQueues { get; }

    ulong GetFeatures();
    void SetFeatures(ulong features);
    ulong GetProtocolFeatures();
    void SetProtocolFeatures(ulong features);
    /// <summary>The protocol features negotiated so far (the dispatcher needs REPLY_ACK).</summary>
    ProtocolFeatures NegotiatedProtocolFeatures { get; }

    void SetOwner();
    void ResetOwner();

    void SetMemTable(ReadOnlySpan<MemoryRegion> regions, ReadOnlySpan<int> fds);
    ulong GetMaxMemSlots();
    void AddMemRegion(MemoryRegion region, int fd);
    void RemoveMemRegion(MemoryRegion region);
    void SetLogBase(LogDescription log, int fd);
    void SetLogFd(int fd);

    void SetVringNum(uint index, uint num);
    void SetVringAddr(VringAddress address);
    void SetVringBase(uint index, uint num);
    /// <summary>Stops the ring and returns the next avail index it would have read.</summary>
    uint GetVringBase(uint index);
    /// <summary><paramref name="fd"/> is -1 when the frontend asked for polling (no fd).</summary>
    void SetVringKick(uint index, int fd);
    void SetVringCall(uint index, int fd);
    void SetVringErr(uint index, int fd);
    void SetVringEnable(uint index, bool enable);
    ulong GetQueueNum();

    void SendRarp(ReadOnlySpan<byte> mac);
    void SetMtu(ulong mtu);
    void SetBackendReqFd(int fd);

    void SetStatus(byte status);
    byte GetStatus();
}
