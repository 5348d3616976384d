using System.Runtime.InteropServices;
using System.Text;
using VirtioForwarder.Platform;

namespace VirtioForwarder.Ports;

/// <summary>The ioctls that create a TAP device and give it an address (linux/if_tun.h, linux/sockios.h).</summary>
internal static unsafe class TapInterop
{
    public const int ENOBUFS = 105;

    private const nuint TUNSETIFF = 0x400454ca, SIOCSIFHWADDR = 0x8924;
    private const ushort ARPHRD_ETHER = 1;
    private const short IFF_TAP = 0x0002, IFF_NO_PI = 0x1000;

    /// <summary>
    /// Opens a non-blocking queue of TAP <paramref name="name"/>, creating the device or attaching
    /// to an existing one, without packet-info headers. Returns the fd and the kernel's name for it.
    /// </summary>
    public static int Attach(string name, out string attachedName)
    {
        int fd = Libc.Open("/dev/net/tun", Libc.O_RDWR | Libc.O_NONBLOCK | Libc.O_CLOEXEC, 0);
        if (fd < 0) throw Failure(name, "open /dev/net/tun");
        var request = NetDeviceIoctl.Request(name, IFF_TAP | IFF_NO_PI);
        if (Libc.Ioctl(fd, TUNSETIFF, &request) < 0)
        {
            var failure = Failure(name, "ioctl TUNSETIFF");
            Libc.Close(fd);
            throw failure;
        }
        attachedName = Encoding.UTF8.GetString(MemoryMarshal.CreateReadOnlySpanFromNullTerminated(request.Name));
        return fd;
    }

    /// <summary>True if a network interface of that name exists in this namespace.</summary>
    public static bool Exists(string name) => NetDeviceIoctl.Index(name) != 0;

    /// <summary>
    /// Gives a TAP this daemon created a MAC address derived from its name: locally administered,
    /// unicast, and the same after every restart, so the host side keeps the address its peers'
    /// ARP caches hold (a fresh random one would cut them off until those entries expire).
    /// </summary>
    public static void SetStableMac(string name) => NetDeviceIoctl.WithSocket(name, socket =>
    {
        var request = NetDeviceIoctl.Request(name);
        var address = (ushort*)((byte*)&request + NetDeviceIoctl.IfNameSize);
        address[0] = ARPHRD_ETHER;
        StableMac(name).CopyTo(new Span<byte>(address + 1, 6));
        if (Libc.Ioctl(socket, SIOCSIFHWADDR, &request) < 0) throw Failure(name, "ioctl SIOCSIFHWADDR");
    });

    /// <summary>02:xx:xx:xx:xx:xx from an FNV-1a hash of the name.</summary>
    public static byte[] StableMac(string name)
    {
        ulong hash = 0xcbf29ce484222325;
        foreach (byte b in Encoding.UTF8.GetBytes(name)) hash = (hash ^ b) * 0x100000001b3;
        return [0x02, (byte)hash, (byte)(hash >> 8), (byte)(hash >> 16), (byte)(hash >> 24), (byte)(hash >> 32)];
    }

    // Made before anything else is called, so it carries the failed call's errno.
    private static SystemCallException Failure(string name, string call) => new($"tap '{name}': {call}", Errno.Last);
}
