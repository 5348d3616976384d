namespace VirtioForwarder.Platform;

/// <summary>An eventfd: a counter one side signals and the other waits on (kick and call notifications, wake-ups).</summary>
public sealed unsafe class EventFd : IDisposable
{
    public int Fd { get; private set; }

    /// <summary>Wraps an eventfd received from a peer; this object then owns it.</summary>
    public EventFd(int fd) => Fd = fd;

    public static EventFd Create(bool nonBlocking = true) =>
        new((int)Errno.Check(Libc.EventFd(0, Libc.EFD_CLOEXEC | (nonBlocking ? Libc.EFD_NONBLOCK : 0)), "eventfd"));

    /// <summary>Adds one to the counter. Never blocks the caller's fast path on errors: a full counter is already a pending signal.</summary>
    public void Signal()
    {
        ulong one = 1;
        Libc.Write(Fd, &one, 8);
    }

    /// <summary>Reads and clears the counter; 0 if it was not signalled (non-blocking fds).</summary>
    public ulong Drain()
    {
        ulong value = 0;
        return Libc.Read(Fd, &value, 8) == 8 ? value : 0;
    }

    public void Dispose()
    {
        if (Fd >= 0) { Libc.Close(Fd); Fd = -1; }
    }
}
