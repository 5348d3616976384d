using System.Text;
using VirtioForwarder.Platform;

namespace VirtioForwarder.Protocol;

/// <summary>Pathname AF_UNIX stream sockets, the transport of vhost-user.</summary>
public static unsafe class UnixSocket
{
    private const int SunPathLength = 108;

    /// <summary>Creates, binds and listens on <paramref name="path"/>. The caller removes stale files first.</summary>
    public static int Listen(string path, int backlog = 1)
    {
        int fd = NewSocket();
        try
        {
            WithAddress(path, (addr, len) => Errno.Check(Libc.Bind(fd, addr, len), $"bind({path})"));
            Errno.Check(Libc.Listen(fd, backlog), $"listen({path})");
            return fd;
        }
        catch
        {
            Libc.Close(fd);
            throw;
        }
    }

    /// <summary>Accepts one pending connection; -1 if none is pending (the listening fd is non-blocking).</summary>
    public static int Accept(int listenFd)
    {
        int fd = Libc.Accept4(listenFd, null, null, Libc.SOCK_CLOEXEC);
        return fd >= 0 ? fd : -1;
    }

    /// <summary>Connects to <paramref name="path"/>; -1 with the errno in <paramref name="errno"/> if nobody listens there.</summary>
    public static int TryConnect(string path, out int errno)
    {
        int fd = NewSocket(nonBlocking: false);
        int result = 0;
        WithAddress(path, (addr, len) => result = Libc.Connect(fd, addr, len));
        errno = result < 0 ? Errno.Last : 0;
        if (result == 0) return fd;
        Libc.Close(fd);
        return -1;
    }

    /// <summary>A connected pair, for tests and in-process peers.</summary>
    public static (int, int) Pair()
    {
        int* sv = stackalloc int[2];
        Errno.Check(Libc.SocketPair(Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC, 0, sv), "socketpair");
        return (sv[0], sv[1]);
    }

    private static int NewSocket(bool nonBlocking = true) =>
        (int)Errno.Check(Libc.Socket(Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC | (nonBlocking ? Libc.SOCK_NONBLOCK : 0), 0), "socket(AF_UNIX)");

    private delegate void AddressUser(void* addr, uint length);

    private static void WithAddress(string path, AddressUser use)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(path);
        if (bytes.Length >= SunPathLength) throw new ArgumentException($"socket path longer than {SunPathLength - 1} bytes: {path}");
        byte* addr = stackalloc byte[2 + SunPathLength];
        new Span<byte>(addr, 2 + SunPathLength).Clear();
        *(ushort*)addr = (ushort)Libc.AF_UNIX;
        bytes.CopyTo(new Span<byte>(addr + 2, bytes.Length));
        use(addr, (uint)(2 + bytes.Length + 1));
    }
}
