using System.Runtime.InteropServices;

namespace VirtioForwarder.Protocol;

/// <summary>
/// A minimal vhost-user front-end: sends requests the way QEMU does and reads the replies. It is
/// the in-process peer for tests and diagnostics (rust-vmm keeps one beside its backend for the same
/// reason); real traffic comes from QEMU or DPDK's virtio_user.
/// </summary>
public sealed unsafe class Frontend(Connection connection) : IDisposable
{
    private readonly ReceivedMessage _reply = new();

    /// <summary>Ask for REPLY_ACK on every request that has no reply of its own.</summary>
    public bool RequestAcks { get; set; }

    public Connection Connection => connection;

    public static Frontend Connect(string path)
    {
        int fd = UnixSocket.TryConnect(path, out int errno);
        if (fd < 0) throw new IOException($"connect({path}): {Platform.Errno.Describe(errno)}");
        return new Frontend(new Connection(fd));
    }

    public ulong GetFeatures() => RequestU64(FrontendRequest.GetFeatures);
    public void SetFeatures(ulong f) => Send(FrontendRequest.SetFeatures, f);
    public ulong GetProtocolFeatures() => RequestU64(FrontendRequest.GetProtocolFeatures);
    /// <summary>Never acknowledged: REPLY_ACK is only in force once this message has been handled.</summary>
    public void SetProtocolFeatures(ulong f) => Write(FrontendRequest.SetProtocolFeatures, Bytes(f), [], wantAck: false);
    public void SetOwner() => Send(FrontendRequest.SetOwner, ReadOnlySpan<byte>.Empty);
    public ulong GetQueueNum() => RequestU64(FrontendRequest.GetQueueNum);
    public void SetVringNum(uint index, uint num) => Send(FrontendRequest.SetVringNum, new VringState { Index = index, Num = num });
    public void SetVringBase(uint index, uint num) => Send(FrontendRequest.SetVringBase, new VringState { Index = index, Num = num });
    public void SetVringEnable(uint index, bool on) => Send(FrontendRequest.SetVringEnable, new VringState { Index = index, Num = on ? 1u : 0u });
    public void SetVringAddr(VringAddress a) => Send(FrontendRequest.SetVringAddr, a);
    public void SetVringKick(uint index, int fd) => SendVringFd(FrontendRequest.SetVringKick, index, fd);
    public void SetVringCall(uint index, int fd) => SendVringFd(FrontendRequest.SetVringCall, index, fd);

    public uint GetVringBase(uint index)
    {
        Write(FrontendRequest.GetVringBase, Bytes(new VringState { Index = index }), [], wantAck: false);
        return ReadReply(FrontendRequest.GetVringBase).Read<VringState>().Num;
    }

    public void SetMemTable(ReadOnlySpan<MemoryRegion> regions, ReadOnlySpan<int> fds)
    {
        var payload = new byte[8 + regions.Length * MemoryRegion.Size];
        MemoryMarshal.Write(payload, (uint)regions.Length);
        MemoryMarshal.AsBytes(regions).CopyTo(payload.AsSpan(8));
        Write(FrontendRequest.SetMemTable, payload, fds, RequestAcks);
    }

    /// <summary>Sends bytes exactly as given, with fds: for malformed-message tests.</summary>
    public void SendRaw(ReadOnlySpan<byte> bytes, ReadOnlySpan<int> fds)
    {
        fixed (byte* p = bytes) connection.Send(p, bytes.Length, fds);
    }

    /// <summary>True once the backend has closed the connection (reads EOF within <paramref name="timeout"/>).</summary>
    public bool WaitForClose(TimeSpan timeout)
    {
        var pfd = new Platform.PollFd { Fd = connection.Fd, Events = Platform.Libc.POLLIN };
        if (Platform.Libc.Poll(&pfd, 1, (int)timeout.TotalMilliseconds) <= 0) return false;
        byte b;
        return Platform.Libc.Read(connection.Fd, &b, 1) <= 0;
    }

    private void SendVringFd(FrontendRequest request, uint index, int fd)
    {
        ulong payload = index | (fd < 0 ? VringFdPayload.NoFdFlag : 0);
        Write(request, Bytes(payload), fd < 0 ? [] : [fd], RequestAcks);
    }

    private void Send<T>(FrontendRequest request, T payload) where T : unmanaged =>
        Write(request, Bytes(payload), [], RequestAcks);

    private void Send(FrontendRequest request, ReadOnlySpan<byte> payload) => Write(request, payload, [], RequestAcks);

    private ulong RequestU64(FrontendRequest request)
    {
        Write(request, ReadOnlySpan<byte>.Empty, [], wantAck: false);
        return ReadReply(request).Read<ulong>();
    }

    private void Write(FrontendRequest request, ReadOnlySpan<byte> payload, ReadOnlySpan<int> fds, bool wantAck)
    {
        var bytes = new byte[MessageHeader.Size + payload.Length];
        var header = new MessageHeader
        {
            Request = request,
            Flags = MessageHeader.Version | (wantAck ? MessageHeader.NeedReplyFlag : 0),
            PayloadSize = (uint)payload.Length,
        };
        MemoryMarshal.Write(bytes, in header);
        payload.CopyTo(bytes.AsSpan(MessageHeader.Size));
        SendRaw(bytes, fds);
        if (wantAck && ReadReply(request).Read<ulong>() != 0)
            throw new ProtocolException($"{request} was refused by the backend");
    }

    private ReceivedMessage ReadReply(FrontendRequest request)
    {
        if (!connection.Receive(_reply)) throw new ProtocolException($"backend closed the connection instead of answering {request}");
        _reply.CloseUntakenFds();
        if (_reply.Header.Request != request || (_reply.Header.Flags & MessageHeader.ReplyFlag) == 0)
            throw new ProtocolException($"expected a reply to {request}, got {_reply.Header.Request} flags 0x{_reply.Header.Flags:x}");
        return _reply;
    }

    private static byte[] Bytes<T>(T value) where T : unmanaged => MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in value)).ToArray();

    public void Dispose() => connection.Dispose();
}
