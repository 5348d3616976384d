using System.Runtime.InteropServices;
using System.Text;
using VirtioForwarder.Platform;

namespace VirtioForwarder.Ports.Xdp;

/// <summary>
/// Whether a network interface carries traffic: administratively up and with carrier
/// (IFF_UP and IFF_RUNNING, as <c>ip link</c> shows them). The flags are read with one ioctl at
/// most every <see cref="RecheckMilliseconds"/>, so asking once per batch costs a clock read.
/// Safe to ask from both of a port's threads: at worst both read the flags.
/// </summary>
internal sealed unsafe partial class InterfaceLink : IDisposable
{
    private const int RecheckMilliseconds = 100;
    private const nuint SIOCGIFFLAGS = 0x8913;
    private const short IFF_UP = 0x1, IFF_RUNNING = 0x40;
    private const int AF_INET = 2, SOCK_DGRAM = 2, IfNameSize = 16;

    /// <summary>struct ifreq: the name, then a 24-byte union of which SIOCGIFFLAGS fills the flags.</summary>
    [StructLayout(LayoutKind.Sequential, Size = 40)]
    private struct IfReq
    {
        public fixed byte Name[IfNameSize];
        public short Flags;
    }

    private readonly int _socket;
    private readonly IfReq _request;
    private long _recheckAt;
    private bool _up;

    public InterfaceLink(string name)
    {
        _socket = (int)Errno.Check(Libc.Socket(AF_INET, SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0), "socket for interface flags");
        var request = new IfReq();
        Encoding.UTF8.GetBytes(name, new Span<byte>(request.Name, IfNameSize - 1));
        _request = request;
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
            var request = _request;
            bool up = Libc.Ioctl(_socket, SIOCGIFFLAGS, &request) == 0 && (request.Flags & (IFF_UP | IFF_RUNNING)) == (IFF_UP | IFF_RUNNING);
            Volatile.Write(ref _up, up);
            Volatile.Write(ref _recheckAt, now + RecheckMilliseconds);
            return up;
        }
    }

    public void Dispose() => Libc.Close(_socket);

    [LibraryImport("libc", EntryPoint = "if_nametoindex", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial uint IfNameToIndex(string name);
}
