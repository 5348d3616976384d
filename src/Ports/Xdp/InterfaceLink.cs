using System.Runtime.InteropServices;
using VirtioForwarder.Platform;

namespace VirtioForwarder.Ports.Xdp;

/// <summary>
/// Whether a network interface carries traffic: administratively up and with carrier
/// (IFF_UP and IFF_RUNNING, as <c>ip link</c> shows them). The flags are read with one ioctl at
/// most every <see cref="RecheckMilliseconds"/>, so asking once per batch costs a clock read.
/// Safe to ask from both of a port's threads: at worst both read the flags.
/// </summary>
internal sealed partial class InterfaceLink : IDisposable
{
    private const int RecheckMilliseconds = 100;
    private const short UpAndRunning = NetDeviceIoctl.IFF_UP | NetDeviceIoctl.IFF_RUNNING;
    private const int AF_INET = 2, SOCK_DGRAM = 2;

    private readonly string _name;
    private readonly int _socket;
    private long _recheckAt;
    private bool _up;

    public InterfaceLink(string name)
    {
        _name = name;
        _socket = (int)Errno.Check(Libc.Socket(AF_INET, SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0), "socket for interface flags");
    }

    /// <summary>The interface's index; throws <see cref="SystemCallException"/> (ENODEV) if there is no such interface.</summary>
    public static int IndexOf(string name)
    {
        uint index = IfNameToIndex(name);
        return index != 0 ? (int)index : throw new SystemCallException($"if_nametoindex({name})", Errno.Last);
    }

    /// <summary>False while the interface is down, has no carrier or is gone.</summary>
    public bool IsUp
    {
        get
        {
            long now = Environment.TickCount64;
            if (now < Volatile.Read(ref _recheckAt)) return Volatile.Read(ref _up);
            bool up = NetDeviceIoctl.TryGetFlags(_socket, _name, out short flags) && (flags & UpAndRunning) == UpAndRunning;
            Volatile.Write(ref _up, up);
            Volatile.Write(ref _recheckAt, now + RecheckMilliseconds);
            return up;
        }
    }

    public void Dispose() => Libc.Close(_socket);

    [LibraryImport("libc", EntryPoint = "if_nametoindex", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial uint IfNameToIndex(string name);
}
