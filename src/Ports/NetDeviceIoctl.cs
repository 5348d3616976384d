using System.Runtime.InteropServices;
using System.Text;
using VirtioForwarder.Platform;

namespace VirtioForwarder.Ports;

/// <summary>The struct ifreq ioctls every netdev port shares (linux/if.h, linux/sockios.h), by interface name.</summary>
internal static unsafe class NetDeviceIoctl
{
    public const short IFF_UP = 0x0001, IFF_RUNNING = 0x0040;
    public const int IfNameSize = 16;

    private const nuint SIOCGIFFLAGS = 0x8913, SIOCSIFFLAGS = 0x8914, SIOCGIFMTU = 0x8921, SIOCGIFINDEX = 0x8933, SIOCETHTOOL = 0x8946;
    private const uint ETHTOOL_GCHANNELS = 0x3c;
    private const int AF_INET = 2, SOCK_DGRAM = 2;

    /// <summary>struct ifreq: the name, then a 24-byte union of which these ioctls use the flags or the index.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 40)]
    public struct IfReq
    {
        [FieldOffset(0)] public fixed byte Name[IfNameSize];
        [FieldOffset(IfNameSize)] public short Flags;
        [FieldOffset(IfNameSize)] public int Index;
        [FieldOffset(IfNameSize)] public int Mtu;
        [FieldOffset(IfNameSize)] public void* Data;
    }

    /// <summary>struct ethtool_channels (linux/ethtool.h): a device's queue counts, maximum and current.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct EthtoolChannels
    {
        public uint Command, MaxRx, MaxTx, MaxOther, MaxCombined, Rx, Tx, Other, Combined;
    }

    /// <summary>
    /// The queues that both receive and transmit (ETHTOOL_GCHANNELS): combined channels plus paired
    /// RX and TX ones, as an AF_XDP socket binds to one such queue; 1 when the driver does not say.
    /// </summary>
    public static int QueuePairs(string name)
    {
        var channels = new EthtoolChannels { Command = ETHTOOL_GCHANNELS };
        var request = Request(name);
        request.Data = &channels;
        int socket = Libc.Socket(AF_INET, SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0);
        if (socket < 0) return 1;
        try
        {
            return Libc.Ioctl(socket, SIOCETHTOOL, &request) == 0 ? (int)Math.Max(1, channels.Combined + Math.Min(channels.Rx, channels.Tx)) : 1;
        }
        finally { Libc.Close(socket); }
    }

    /// <summary>Sets interface <paramref name="name"/> administratively up, as <c>ip link set up</c> does.</summary>
    public static void SetUp(string name) => WithSocket(name, socket =>
    {
        var request = Request(name);
        if (Libc.Ioctl(socket, SIOCGIFFLAGS, &request) < 0) throw Failure(name, "ioctl SIOCGIFFLAGS");
        request.Flags |= IFF_UP;
        if (Libc.Ioctl(socket, SIOCSIFFLAGS, &request) < 0) throw Failure(name, "ioctl SIOCSIFFLAGS");
    });

    /// <summary>The interface's index in this namespace, or 0 if there is no interface of that name.</summary>
    public static int Index(string name)
    {
        int index = 0;
        WithSocket(name, socket =>
        {
            var request = Request(name);
            if (Libc.Ioctl(socket, SIOCGIFINDEX, &request) == 0) index = request.Index;
        });
        return index;
    }

    /// <summary>The interface's flags read through <paramref name="socket"/> (any socket will do); false if it is gone.</summary>
    public static bool TryGetFlags(int socket, string name, out short flags)
    {
        var request = Request(name);
        bool ok = Libc.Ioctl(socket, SIOCGIFFLAGS, &request) == 0;
        flags = request.Flags;
        return ok;
    }

    /// <summary>The interface's MTU read through <paramref name="socket"/> (any socket will do); false if it is gone.</summary>
    public static bool TryGetMtu(int socket, string name, out int mtu)
    {
        var request = Request(name);
        bool ok = Libc.Ioctl(socket, SIOCGIFMTU, &request) == 0;
        mtu = request.Mtu;
        return ok;
    }

    public static void WithSocket(string name, Action<int> use)
    {
        int socket = Libc.Socket(AF_INET, SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0);
        if (socket < 0) throw Failure(name, "socket");
        try { use(socket); }
        finally { Libc.Close(socket); }
    }

    // The name must already be valid (PortSpec.InterfaceNameProblem); the NUL comes from the zeroed struct.
    public static IfReq Request(string name, short flags = 0)
    {
        var request = new IfReq { Flags = flags };
        Encoding.UTF8.GetBytes(name, new Span<byte>(request.Name, IfNameSize - 1));
        return request;
    }

    // Made before anything else is called, so it carries the failed call's errno.
    public static SystemCallException Failure(string name, string call) => new($"interface '{name}': {call}", Errno.Last);
}
