using System.Buffers.Binary;
using VirtioForwarder.Platform;
using VirtioForwarder.Ports.Bond.Lacp;

namespace VirtioForwarder.Ports.Bond;

/// <summary>
/// ALB's receive balancing (DPDK mode 6, rte_eth_bond_alb): each client the VM answers ARP for is
/// given a member, new clients taking members in turn, and the ARP replies to that client always
/// leave on it carrying that member's address (Ethernet source and ARP sender), so each client
/// sends to its own member's address and the switch delivers it on that link. The primary member
/// (the first) advertises the VM's own address, as DPDK's primary carries the bond's. Frames that
/// arrive for another member's address get the VM's address back before the VM sees them. The
/// table is fixed (256 entries by folded IPv4 address, as DPDK's ALB_HASH_TABLE_SIZE): no
/// allocation per frame. Transmit and receive may run on different threads; they share only the
/// VM's address, learnt from the replies it sends. The bond's queues may transmit on different
/// threads too: they assign clients under a lock, taken for ARP replies only.
/// </summary>
internal sealed unsafe class AlbClients(MacAddress[] memberAddresses)
{
    public const int Primary = 0;

    private const int TableSize = 256;
    private const ushort ArpType = 0x0806, ArpReply = 2;
    private const int EthernetSource = 6, EthernetHeader = 14, ArpOperationOffset = 14 + 6, ArpSenderMacOffset = 14 + 8, ArpTargetIpOffset = 14 + 24, ArpFrameSize = 14 + 28;

    private readonly uint[] _address = new uint[TableSize];
    private readonly int[] _member = new int[TableSize];
    private readonly bool[] _used = new bool[TableSize];
    private readonly Lock _table = new();
    private int _next;
    // The VM's address, 0 until its first ARP reply; written by the transmitting thread.
    private ulong _guest;

    /// <summary>
    /// The position in <paramref name="carriers"/> (ordered least loaded first) of the member that
    /// sends <paramref name="frame"/>: an ARP reply's client's member, any other frame the least
    /// loaded one (TLB). On a member other than the primary the VM's address becomes the member's:
    /// in an ARP reply's Ethernet source and sender, in other frames' source (as DPDK's TLB does,
    /// so the switch learns the VM's address on the primary's link only).
    /// </summary>
    public int Pick(in Frame frame, int[] carriers)
    {
        var bytes = frame.Bytes;
        int slot = 0;
        if (IsArpReply(bytes))
        {
            lock (_table) slot = Assign(BinaryPrimitives.ReadUInt32BigEndian(bytes[ArpTargetIpOffset..]), carriers);
            Volatile.Write(ref _guest, MacAddress.Read(bytes[ArpSenderMacOffset..]).Value);
            if (carriers[slot] != Primary) memberAddresses[carriers[slot]].Write(bytes[ArpSenderMacOffset..]);
        }
        int member = carriers[slot];
        ulong guest = Volatile.Read(ref _guest);
        if (member != Primary && guest != 0 && bytes.Length >= EthernetHeader && MacAddress.Read(bytes[EthernetSource..]).Value == guest)
            memberAddresses[member].Write(bytes[EthernetSource..]);
        return slot;
    }

    private static bool IsArpReply(ReadOnlySpan<byte> bytes) =>
        bytes.Length >= ArpFrameSize &&
        BinaryPrimitives.ReadUInt16BigEndian(bytes[12..]) == ArpType &&
        BinaryPrimitives.ReadUInt16BigEndian(bytes[ArpOperationOffset..]) == ArpReply;

    /// <summary>Gives frames addressed to a member's own address the VM's address instead.</summary>
    public void RestoreDestinations(Span<Frame> frames)
    {
        ulong guest = Volatile.Read(ref _guest);
        if (guest == 0) return;
        foreach (ref var frame in frames)
        {
            if (frame.Length < MacAddress.Size) continue;
            var destination = MacAddress.Read(frame.Bytes);
            for (int m = 0; m < memberAddresses.Length; m++)
            {
                if (m == Primary || memberAddresses[m] != destination) continue;
                new MacAddress(guest).Write(frame.Bytes);
                break;
            }
        }
    }

    /// <summary>The client's member if it still carries, else (a new client, or its member went away) the next member up in turn (DPDK's calculate_slave).</summary>
    private int Assign(uint client, int[] carriers)
    {
        int entry = (int)((client ^ (client >> 8) ^ (client >> 16) ^ (client >> 24)) & (TableSize - 1));
        if (_used[entry] && _address[entry] == client)
        {
            int slot = Array.IndexOf(carriers, _member[entry]);
            if (slot >= 0) return slot;
        }
        // Turns go by member number, not by the carriers' load order, which changes every tick.
        for (int k = 0; k < memberAddresses.Length; k++)
        {
            int member = _next++ % memberAddresses.Length;
            int slot = Array.IndexOf(carriers, member);
            if (slot < 0) continue;
            _address[entry] = client;
            _member[entry] = member;
            _used[entry] = true;
            return slot;
        }
        return 0; // not reached: every carrier is a member
    }
}
