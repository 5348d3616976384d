using System.Runtime.InteropServices;
using System.Text;
using VirtioForwarder.Platform;

namespace VirtioForwarder.Ports;

/// <summary>The ioctls that create a TAP device and bring it up (linux/if_tun.h, linux/sockios.h).</summary>
internal static unsafe class TapInterop
{
    public const int ENOBUFS = 105;

    private const nuint TUNSETIFF = 0x400454ca, SIOCGIFFLAGS = 0x8913, SIOCSIFFLAGS = 0x8914;
    private const short IFF_UP = 0x0001, IFF_TAP = 0x0002, IFF_NO_PI = 0x1000;
    private const int AF_INET = 2, SOCK_DGRAM = 2;
    private const int IfNameSize = 16;

    /// <summary>struct ifreq: the name, then a 24-byte union of which these ioctls use the flags.</summary>
    [StructLayout(LayoutKind.Sequential, Size = 40)]
    private struct IfReq
    {
        public fixed byte Name[IfNameSize];
        public short Flags;
    }

    /// <summary>
    /// Opens a non-blocking queue of TAP <paramref name="name"/>, creating the device or attaching
    /// to an existing one, without packet-info headers. Returns the fd and the kernel's name for it.
    /// </summary>
    public static int Attach(string name, out string attachedName)
    {
        int fd = Libc.Open("/dev/net/tun", Libc.O_RDWR | Libc.O_NONBLOCK | Libc.O_CLOEXEC, 0);
        if (fd < 0) throw Failure(name, "open /dev/net/tun");
        var request = Request(name, IFF_TAP | IFF_NO_PI);
        if (Libc.Ioctl(fd, TUNSETIFF, &request) < 0)
        {
            var failure = Failure(name, "ioctl TUNSETIFF");
            Libc.Close(fd);
            throw failure;
        }
        attachedName = Encoding.UTF8.GetString(MemoryMarshal.CreateReadOnlySpanFromNullTerminated(request.Name));
        return fd;
    }

    /// <summary>Sets interface <paramref name="name"/> administratively up, as <c>ip link set up</c> does.</summary>
    public static void SetUp(string name)
    {
        int socket = Libc.Socket(AF_INET, SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0);
        if (socket < 0) throw Failure(name, "socket");
        try
        {
            var request = Request(name, 0);
            if (Libc.Ioctl(socket, SIOCGIFFLAGS, &request) < 0) throw Failure(name, "ioctl SIOCGIFFLAGS");
            request.Flags |= IFF_UP;
            if (Libc.Ioctl(socket, SIOCSIFFLAGS, &request) < 0) throw Failure(name, "ioctl SIOCSIFFLAGS");
        }
        finally
        {
            Libc.Close(socket);
        }
    }

    // The name must already be valid (PortSpec.InterfaceNameProblem); the NUL comes from the zeroed struct.
    private static IfReq Request(string name, short flags)
    {
        var request = new IfReq { Flags = flags };
        Encoding.UTF8.GetBytes(name, new Span<byte>(request.Name, IfNameSize - 1));
        return request;
    }

    // Made before anything else is called, so it carries the failed call's errno.
    private static SystemCallException Failure(string name, string call) => new($"tap '{name}': {call}", Errno.Last);
}
