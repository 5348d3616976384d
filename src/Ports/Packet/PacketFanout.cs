using VirtioForwarder.Platform;
using static VirtioForwarder.Ports.Packet.PacketInterop;

namespace VirtioForwarder.Ports.Packet;

/// <summary>
/// A PACKET_FANOUT group (packet(7); kernel doc networking/packet_mmap "AF_PACKET fanout mode"):
/// the sockets of one port's queues, bound to the same device, among which the kernel spreads
/// each received frame to exactly one. Mode PACKET_FANOUT_HASH: the socket is chosen by the
/// frame's flow hash (skb_get_hash over addresses and ports), so every frame of a flow lands on
/// the same socket and so in the same guest queue, in order. _CPU would follow whichever CPU ran
/// the receive softirq, which can change within a flow (reordering); _QM follows the device's RX
/// queue, which many drivers (veth among them) do not record, sending everything to one socket.
/// <para>
/// PACKET_FANOUT_FLAG_IGNORE_OUTGOING is the group's PACKET_IGNORE_OUTGOING (the socket option
/// has no effect on a member). Kernels before 6.2 ignore the flag: frames the host itself sends
/// on the device then reach the guest too. The port's own frames never do: they bypass the
/// qdisc, where the kernel copies outgoing frames to packet sockets.
/// </para>
/// </summary>
internal static unsafe class PacketFanout
{
    private const int Mode = PACKET_FANOUT_HASH | PACKET_FANOUT_FLAG_IGNORE_OUTGOING;

    // Classic BPF "ret #0": keep no byte of any frame.
    private const ushort BpfReturnConstant = 0x06;

    /// <summary>Puts bound socket <paramref name="fd"/> in a new group whose id (unique in the namespace) the kernel picks; returns the id.</summary>
    public static ushort Create(int fd, string name)
    {
        SetOption(fd, PACKET_FANOUT, (Mode | PACKET_FANOUT_FLAG_UNIQUEID) << 16, name);
        int value;
        uint length = sizeof(int);
        Errno.Check(GetSockOpt(fd, SOL_PACKET, PACKET_FANOUT, &value, &length), $"{name}: getsockopt PACKET_FANOUT");
        return (ushort)value;
    }

    /// <summary>Adds bound socket <paramref name="fd"/> to group <paramref name="id"/>, then lets frames reach it (<see cref="Mute"/>).</summary>
    public static void Join(int fd, ushort id, string name)
    {
        SetOption(fd, PACKET_FANOUT, id | (Mode << 16), name);
        int unused = 0; // the kernel wants an int's length, though it reads nothing
        Errno.Check(Libc.SetSockOpt(fd, Libc.SOL_SOCKET, SO_DETACH_FILTER, &unused, sizeof(int)), $"{name}: setsockopt SO_DETACH_FILTER");
    }

    /// <summary>
    /// Keeps every frame from socket <paramref name="fd"/> until it has joined its group: a
    /// socket must be bound to join, and in between it would receive, besides the group, a
    /// second copy of each frame.
    /// </summary>
    public static void Mute(int fd, string name)
    {
        var dropAll = new SockFilter { Code = BpfReturnConstant, K = 0 };
        var program = new SockFprog { Length = 1, Filter = &dropAll };
        Errno.Check(Libc.SetSockOpt(fd, Libc.SOL_SOCKET, SO_ATTACH_FILTER, &program, (uint)sizeof(SockFprog)), $"{name}: setsockopt SO_ATTACH_FILTER");
    }
}
