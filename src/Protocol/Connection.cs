using VirtioForwarder.Platform;

namespace VirtioForwarder.Protocol;

/// <summary>
/// A connected vhost-user Unix stream socket: reads whole messages with the fds passed in
/// SCM_RIGHTS ancillary data, writes replies. The frontend sends the header and payload in one
/// sendmsg with the fds attached, so the fds arrive with the header's first byte.
/// </summary>
public sealed unsafe class Connection : IDisposable
{
    private const int ControlBytes = 16 + ReceivedMessage.MaxFds * sizeof(int); // CMSG_SPACE for MaxFds ints
    private static readonly TimeSpan PartialMessageTimeout = TimeSpan.FromSeconds(1);

    public int Fd { get; private set; }

    /// <summary>Takes ownership of a connected socket fd. Reads block at most one second once a message has begun.</summary>
    public Connection(int fd)
    {
        Fd = fd;
        var tv = stackalloc long[2] { (long)PartialMessageTimeout.TotalSeconds, 0 };
        Libc.SetSockOpt(fd, Libc.SOL_SOCKET, Libc.SO_RCVTIMEO, tv, 16);
        Libc.SetSockOpt(fd, Libc.SOL_SOCKET, Libc.SO_SNDTIMEO, tv, 16);
    }

    /// <summary>Reads the next message into <paramref name="message"/>. False when the peer closed the connection.</summary>
    public bool Receive(ReceivedMessage message)
    {
        MessageHeader header;
        byte* control = stackalloc byte[ControlBytes];
        var iov = new IoVec { Base = &header, Length = MessageHeader.Size };
        var msg = new MsgHdr { Iov = &iov, IovLen = 1, Control = control, ControlLen = ControlBytes };
        nint n;
        do n = Libc.RecvMsg(Fd, &msg, Libc.MSG_CMSG_CLOEXEC);
        while (n < 0 && Errno.Last == Errno.EINTR);
        if (n == 0) return false;
        if (n < 0)
        {
            int errno = Errno.Last;
            if (errno == Errno.ECONNRESET) return false;
            throw new ProtocolException($"recvmsg: {Errno.Describe(errno)}");
        }
        message.SetFds(CollectFds(&msg));
        bool truncated = (msg.Flags & 0x8 /* MSG_CTRUNC */) != 0;
        try
        {
            if (truncated) throw new ProtocolException($"more than {ReceivedMessage.MaxFds} fds attached to one message");
            if (n < MessageHeader.Size) ReadExactly((byte*)&header + n, MessageHeader.Size - (int)n);
            if ((header.Flags & MessageHeader.VersionMask) != MessageHeader.Version)
                throw new ProtocolException($"message {(uint)header.Request}: unsupported version in flags 0x{header.Flags:x}");
            if (header.PayloadSize > ReceivedMessage.MaxPayload)
                throw new ProtocolException($"message {(uint)header.Request}: payload of {header.PayloadSize} bytes exceeds {ReceivedMessage.MaxPayload}");
            message.Header = header;
            fixed (byte* p = message.PayloadBuffer) ReadExactly(p, (int)header.PayloadSize);
            return true;
        }
        catch
        {
            message.CloseUntakenFds();
            throw;
        }
    }

    private static ReadOnlySpan<int> CollectFds(MsgHdr* msg)
    {
        var fds = new List<int>();
        // CMSG_FIRSTHDR / CMSG_NXTHDR by hand: headers are 16 bytes, data 8-byte aligned.
        byte* p = (byte*)msg->Control;
        byte* end = p + (int)msg->ControlLen;
        while (p + sizeof(CmsgHdr) <= end)
        {
            var cmsg = (CmsgHdr*)p;
            if (cmsg->Len < (nuint)sizeof(CmsgHdr)) break;
            if (cmsg->Level == Libc.SOL_SOCKET && cmsg->Type == Libc.SCM_RIGHTS)
            {
                int count = (int)(cmsg->Len - (nuint)sizeof(CmsgHdr)) / sizeof(int);
                var data = (int*)(p + sizeof(CmsgHdr));
                for (int i = 0; i < count; i++) fds.Add(data[i]);
            }
            p += (int)((cmsg->Len + 7) & ~(nuint)7);
        }
        return fds.ToArray();
    }

    private void ReadExactly(byte* buffer, int length)
    {
        int done = 0;
        while (done < length)
        {
            nint n = Libc.Read(Fd, buffer + done, (nuint)(length - done));
            if (n < 0 && Errno.Last == Errno.EINTR) continue;
            if (n < 0) throw new ProtocolException($"truncated message: {Errno.Describe(Errno.Last)}");
            if (n == 0) throw new ProtocolException("peer closed in the middle of a message");
            done += (int)n;
        }
    }

    /// <summary>Sends a reply: the request's header with the reply flag, then <paramref name="payload"/>.</summary>
    public void Reply(FrontendRequest request, ReadOnlySpan<byte> payload)
    {
        int total = MessageHeader.Size + payload.Length;
        byte* buffer = stackalloc byte[total];
        *(MessageHeader*)buffer = new MessageHeader
        {
            Request = request,
            Flags = MessageHeader.Version | MessageHeader.ReplyFlag,
            PayloadSize = (uint)payload.Length,
        };
        payload.CopyTo(new Span<byte>(buffer + MessageHeader.Size, payload.Length));
        Send(buffer, total, ReadOnlySpan<int>.Empty);
    }

    /// <summary>Writes raw bytes with optional fds (used by test frontends and the backend channel).</summary>
    public void Send(byte* buffer, int length, ReadOnlySpan<int> fds)
    {
        int controlLen = fds.IsEmpty ? 0 : 16 + ((fds.Length * sizeof(int) + 7) & ~7);
        byte* control = stackalloc byte[Math.Max(controlLen, 1)];
        var iov = new IoVec { Base = buffer, Length = (nuint)length };
        var msg = new MsgHdr { Iov = &iov, IovLen = 1 };
        if (!fds.IsEmpty)
        {
            new Span<byte>(control, controlLen).Clear();
            var cmsg = (CmsgHdr*)control;
            cmsg->Len = (nuint)(16 + fds.Length * sizeof(int));
            cmsg->Level = Libc.SOL_SOCKET;
            cmsg->Type = Libc.SCM_RIGHTS;
            fds.CopyTo(new Span<int>(control + 16, fds.Length));
            msg.Control = control;
            msg.ControlLen = (nuint)controlLen;
        }
        nint n;
        do n = Libc.SendMsg(Fd, &msg, Libc.MSG_NOSIGNAL);
        while (n < 0 && Errno.Last == Errno.EINTR);
        if (n != length) throw new ProtocolException($"sendmsg: {(n < 0 ? Errno.Describe(Errno.Last) : $"short write {n}/{length}")}");
    }

    public void Dispose()
    {
        if (Fd >= 0) { Libc.Close(Fd); Fd = -1; }
    }
}
