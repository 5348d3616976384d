using System.Text;
using VirtioForwarder.Platform;

namespace VirtioForwarder.Control.LegacyPorts;

/// <summary>
/// A netdev's bus-info, as <c>ethtool -i</c> prints it, read with the ETHTOOL_GDRVINFO ioctl itself
/// (upstream runs the ethtool program and scans its output).
/// </summary>
public static unsafe partial class EthtoolBusInfo
{
    private const nuint SIOCETHTOOL = 0x8946;
    private const uint ETHTOOL_GDRVINFO = 0x3;
    private const int AF_INET = 2, SOCK_DGRAM = 2, IfNameSize = 16;

    // struct ethtool_drvinfo: cmd, then driver, version, fw_version, bus_info (32 bytes each), ...
    private const int DrvInfoSize = 196, BusInfoOffset = 4 + 3 * 32, BusInfoLength = 32;

    /// <summary>The bus-info string, or null when the netdev does not exist or has no ethtool driver info.</summary>
    public static string? Read(string netdev)
    {
        byte[] name = Encoding.UTF8.GetBytes(netdev);
        if (name.Length >= IfNameSize) return null;
        int fd = Libc.Socket(AF_INET, SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0);
        if (fd < 0) return null;
        try
        {
            byte* info = stackalloc byte[DrvInfoSize];
            new Span<byte>(info, DrvInfoSize).Clear();
            *(uint*)info = ETHTOOL_GDRVINFO;
            // struct ifreq: the name, then ifr_data (a pointer) in the union.
            byte* ifreq = stackalloc byte[40];
            new Span<byte>(ifreq, 40).Clear();
            name.CopyTo(new Span<byte>(ifreq, IfNameSize));
            *(byte**)(ifreq + IfNameSize) = info;
            if (Libc.Ioctl(fd, SIOCETHTOOL, ifreq) != 0) return null;
            var bus = new ReadOnlySpan<byte>(info + BusInfoOffset, BusInfoLength);
            int end = bus.IndexOf((byte)0);
            return Encoding.UTF8.GetString(end < 0 ? bus : bus[..end]);
        }
        finally { Libc.Close(fd); }
    }
}
