using VirtioForwarder.Platform;

namespace VirtioForwarder.Protocol;

/// <summary>
/// One message as read from the socket: its header, payload bytes and the fds that came with it.
/// A connection reuses one instance; fds not taken by a handler are closed by <see cref="CloseUntakenFds"/>.
/// </summary>
public sealed unsafe class ReceivedMessage
{
    /// <summary>Largest payload accepted; real messages are at most a few hundred bytes (rust-vmm caps at 4 KiB too).</summary>
    public const int MaxPayload = 4096;
    /// <summary>Most fds one message may carry.</summary>
    public const int MaxFds = 32;

    private readonly byte[] _payload = new byte[MaxPayload];
    private readonly int[] _fds = new int[MaxFds];
    private int _fdCount;

    public MessageHeader Header;

    public ReadOnlySpan<byte> Payload => _payload.AsSpan(0, (int)Header.PayloadSize);
    internal Span<byte> PayloadBuffer => _payload;

    public int FdCount => _fdCount;

    internal void SetFds(ReadOnlySpan<int> fds)
    {
        fds.CopyTo(_fds);
        _fdCount = fds.Length;
    }

    /// <summary>Hands fd <paramref name="i"/> to the caller, who then owns it.</summary>
    public int TakeFd(int i)
    {
        int fd = _fds[i];
        if (fd < 0) throw new ProtocolException($"{Header.Request}: fd {i} already taken");
        _fds[i] = -1;
        return fd;
    }

    /// <summary>Reads the payload as a <typeparamref name="T"/>; the size was validated before dispatch.</summary>
    public T Read<T>() where T : unmanaged
    {
        fixed (byte* p = _payload) return *(T*)p;
    }

    public T ReadAt<T>(int offset) where T : unmanaged
    {
        fixed (byte* p = _payload) return *(T*)(p + offset);
    }

    public void CloseUntakenFds()
    {
        for (int i = 0; i < _fdCount; i++)
            if (_fds[i] >= 0) { Libc.Close(_fds[i]); _fds[i] = -1; }
        _fdCount = 0;
    }
}
