using VirtioForwarder.Platform;

namespace VirtioForwarder.Ports;

/// <summary>
/// <c>tap:&lt;ifname&gt;</c>: a kernel TAP device, one read() or write() per frame on a non-blocking
/// fd. Opening creates the device (or attaches to an existing tap of that name) and sets it up;
/// Dispose closes the fd, which removes a device this port created.
/// </summary>
public sealed unsafe class TapPort : IPort
{
    private readonly FrameBuffers _rx, _tx;
    private readonly int _fd;
    private long _txErrors;
    private bool _disposed;
    private bool _linkUp = true;

    private TapPort(string name, string interfaceName, int fd, int frameCapacity)
    {
        Name = name;
        InterfaceName = interfaceName;
        _fd = fd;
        _rx = new FrameBuffers(frameCapacity);
        _tx = new FrameBuffers(frameCapacity);
    }

    internal static TapPort Open(PortSpec spec, int frameCapacity)
    {
        if (PortSpec.InterfaceNameProblem(spec.InterfaceName) is { } problem)
            throw new ArgumentException(PortSpec.Describe(spec.Text, problem), nameof(spec));
        bool created = !TapInterop.Exists(spec.InterfaceName);
        int fd = TapInterop.Attach(spec.InterfaceName, out string attachedName);
        try
        {
            // An existing (persistent) tap keeps the address its owner gave it.
            if (created) TapInterop.SetStableMac(attachedName);
            NetDeviceIoctl.SetUp(attachedName);
        }
        catch
        {
            Libc.Close(fd);
            throw;
        }
        return new TapPort(spec.Text, attachedName, fd, frameCapacity);
    }

    public string Name { get; }

    /// <summary>The device's name as the kernel gave it (a template such as <c>tap%d</c> becomes <c>tap0</c>).</summary>
    public string InterfaceName { get; }

    /// <summary>Frames the kernel refused for good (e.g. shorter than an Ethernet header), dropped as a NIC counts a transmit error.</summary>
    public long TxErrors => _txErrors;

    /// <summary>
    /// Whether the tap's fd still carries frames: a read failing with anything but EAGAIN (EBADFD
    /// once the interface is destroyed, e.g. with its namespace) takes the link down, and the
    /// next successful read brings it back. While down, the relay drops what it would send here
    /// as link-down drops and does not wait on the fd, which would poll ready forever.
    /// </summary>
    public bool LinkUp => Volatile.Read(ref _linkUp);

    public int ReadinessFd => _fd;

    public int Receive(Span<Frame> frames)
    {
        int lent = _rx.Lend(frames);
        int n = 0;
        while (n < lent)
        {
            nint got = Libc.Read(_fd, frames[n].Data, (nuint)frames[n].Capacity);
            if (got <= 0)
            {
                // EAGAIN: the queue is empty. Anything else: the device is gone or unusable.
                if (got < 0 && Errno.Last != Errno.EAGAIN) Volatile.Write(ref _linkUp, false);
                break;
            }
            frames[n++].Length = (int)got;
        }
        if (n > 0 && !_linkUp) Volatile.Write(ref _linkUp, true);
        return n;
    }

    public int AcquireTx(Span<Frame> frames) => _tx.Lend(frames);

    /// <summary>
    /// Writes the frames in order until the kernel runs out of room (EAGAIN, ENOBUFS): those left
    /// are not sent. A frame refused for any other reason counts in <see cref="TxErrors"/> and as
    /// sent, so one bad frame does not drop the rest of the batch.
    /// </summary>
    public int Transmit(Span<Frame> frames, int count)
    {
        var batch = frames[..count];
        int sent = 0;
        for (; sent < batch.Length; sent++)
        {
            if (Libc.Write(_fd, batch[sent].Data, (nuint)batch[sent].Length) >= 0) continue;
            if (Errno.Last is Errno.EAGAIN or TapInterop.ENOBUFS) break;
            _txErrors++;
        }
        return sent;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Libc.Close(_fd);
        _rx.Dispose();
        _tx.Dispose();
    }
}
