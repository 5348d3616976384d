using System.Runtime.InteropServices;

namespace VirtioForwarder.Control.Zmq;

/// <summary>
/// One single-frame REQ or REP socket with a context of its own (each service has its own
/// context, docs/control-contract.md §1). Like any zmq socket it must be used, and disposed, by
/// one thread at a time.
/// </summary>
public abstract unsafe class ZmqSocket : IDisposable
{
    private nint _context;
    private nint _socket;

    /// <param name="attach">Binds or connects the new socket, after the common options are set.</param>
    private protected ZmqSocket(int type, int timeoutMilliseconds, Action<ZmqSocket> attach)
    {
        _context = LibZmq.zmq_ctx_new();
        if (_context == 0)
            throw ZmqException.FromLastError(nameof(LibZmq.zmq_ctx_new), "");
        try
        {
            _socket = LibZmq.zmq_socket(_context, type);
            if (_socket == 0)
                throw ZmqException.FromLastError(nameof(LibZmq.zmq_socket), type.ToString());
            // LINGER bounds how long Dispose waits for an unsent reply; the timeouts let a
            // serving thread look up from its receive once a period (§1).
            SetOption(LibZmq.ZMQ_LINGER, timeoutMilliseconds);
            SetOption(LibZmq.ZMQ_SNDTIMEO, timeoutMilliseconds);
            SetOption(LibZmq.ZMQ_RCVTIMEO, timeoutMilliseconds);
            attach(this);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    internal void SetOption(int option, int value) =>
        SetOption(option, &value, sizeof(int));

    internal void SetOption(int option, long value) =>
        SetOption(option, &value, sizeof(long));

    private void SetOption(int option, void* value, int length)
    {
        if (LibZmq.zmq_setsockopt(_socket, option, value, (nuint)length) != 0)
            throw ZmqException.FromLastError(nameof(LibZmq.zmq_setsockopt), option.ToString());
    }

    internal void Bind(string endpoint)
    {
        if (LibZmq.zmq_bind(_socket, endpoint) != 0)
            throw ZmqException.FromLastError(nameof(LibZmq.zmq_bind), endpoint);
    }

    internal void Connect(string endpoint)
    {
        if (LibZmq.zmq_connect(_socket, endpoint) != 0)
            throw ZmqException.FromLastError(nameof(LibZmq.zmq_connect), endpoint);
    }

    /// <summary>Receives one frame, which may be empty (§1); false when the receive timeout passes first.</summary>
    public bool TryReceive(out byte[] frame)
    {
        ZmqMessage message = default;
        if (LibZmq.zmq_msg_init(&message) != 0)
            throw ZmqException.FromLastError(nameof(LibZmq.zmq_msg_init), "");
        try
        {
            if (LibZmq.zmq_msg_recv(&message, _socket, 0) < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                // EINTR: a signal cut the wait short; to the caller that is just an early timeout.
                if (errno is LibZmq.EAGAIN or LibZmq.EINTR)
                {
                    frame = [];
                    return false;
                }
                throw new ZmqException(nameof(LibZmq.zmq_msg_recv), "", errno);
            }
            frame = new ReadOnlySpan<byte>(LibZmq.zmq_msg_data(&message), (int)LibZmq.zmq_msg_size(&message)).ToArray();
            return true;
        }
        finally
        {
            LibZmq.zmq_msg_close(&message);
        }
    }

    /// <summary>Sends one frame; an empty span sends a 0-byte frame.</summary>
    public void Send(ReadOnlySpan<byte> frame)
    {
        fixed (byte* bytes = frame)
        {
            if (LibZmq.zmq_send(_socket, bytes, (nuint)frame.Length, 0) < 0)
                throw ZmqException.FromLastError(nameof(LibZmq.zmq_send), $"{frame.Length} bytes");
        }
    }

    public void Dispose()
    {
        if (_socket != 0)
        {
            LibZmq.zmq_close(_socket);
            _socket = 0;
        }
        if (_context != 0)
        {
            // Blocks for at most LINGER while a last reply drains.
            LibZmq.zmq_ctx_term(_context);
            _context = 0;
        }
    }
}
