using System.Buffers.Binary;
using System.Runtime.InteropServices;
using VirtioForwarder.Platform;

namespace VirtioForwarder.Ports.Tests.Xdp.Support;

/// <summary>
/// The far side of a port under test: a raw AF_PACKET socket on an interface inside the test's
/// namespace that sends exact frames into it and reads every frame it receives (not those it
/// sends itself), so tests compare bytes rather than counters.
/// </summary>
public sealed unsafe partial class PeerPacketSocket : IDisposable
{
    private const int AF_PACKET = 17, SOCK_RAW = 3, SOL_PACKET = 263, PACKET_IGNORE_OUTGOING = 23, SO_RCVBUFFORCE = 33;
    private const ushort ETH_P_ALL = 3;
    private const int ReceiveBuffer = 8 << 20;
    private readonly int _fd;
    private readonly byte[] _buffer = new byte[65536];

    [StructLayout(LayoutKind.Sequential)]
    private struct SockaddrLl
    {
        public ushort Family;
        public ushort Protocol;
        public int Ifindex;
        public ushort HardwareType;
        public byte PacketType;
        public byte AddressLength;
        public ulong Address;
    }

    private PeerPacketSocket(int fd) => _fd = fd;

    public static PeerPacketSocket Open(string netns, string interfaceName) => InNamespace.Run(netns, () =>
    {
        ushort protocol = BinaryPrimitives.ReverseEndianness(ETH_P_ALL);
        int fd = (int)Errno.Check(Libc.Socket(AF_PACKET, SOCK_RAW | Libc.SOCK_NONBLOCK | Libc.SOCK_CLOEXEC, protocol), "socket(AF_PACKET)");
        var socket = new PeerPacketSocket(fd);
        try
        {
            int one = 1, size = ReceiveBuffer;
            Errno.Check(Libc.SetSockOpt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(int)), "PACKET_IGNORE_OUTGOING");
            Errno.Check(Libc.SetSockOpt(fd, Libc.SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(int)), "SO_RCVBUFFORCE");
            var address = new SockaddrLl { Family = AF_PACKET, Protocol = protocol, Ifindex = (int)IfNameToIndex(interfaceName) };
            Errno.Check(Libc.Bind(fd, &address, (uint)sizeof(SockaddrLl)), "bind AF_PACKET to " + interfaceName);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    });

    public void Send(ReadOnlySpan<byte> frame)
    {
        fixed (byte* data = frame)
            Errno.Check(Libc.Write(_fd, data, (nuint)frame.Length), "send on the peer's packet socket");
    }

    /// <summary>The next frame the interface received, or null if none came within the timeout.</summary>
    public byte[]? Receive(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        do
        {
            fixed (byte* data = _buffer)
            {
                nint got = Libc.Read(_fd, data, (nuint)_buffer.Length);
                if (got > 0) return _buffer.AsSpan(0, (int)got).ToArray();
            }
            var poll = new PollFd { Fd = _fd, Events = Libc.POLLIN };
            Libc.Poll(&poll, 1, 50);
        } while (DateTime.UtcNow < deadline);
        return null;
    }

    public void Dispose() => Libc.Close(_fd);

    [LibraryImport("libc", EntryPoint = "if_nametoindex", StringMarshalling = StringMarshalling.Utf8)]
    private static partial uint IfNameToIndex(string name);
}
