using System.Buffers.Binary;
using VirtioForwarder.Platform;

namespace VirtioForwarder.Ports.Bond;

/// <summary>
/// ALB's receive balancing (DPDK mode 6, rte_eth_bond_alb): each client the VM answers ARP for is
/// given a member, new clients taking members in turn, and the ARP replies to that client always
/// leave on it, so the peers' switches learn the VM's address on different links. DPDK also
/// rewrites the sender hardware address to the member's own; here the frames carry the VM's
/// address, which is the one peers must keep using, so nothing is rewritten. The table is fixed
/// (256 entries by folded IPv4 address, as DPDK's ALB_HASH_TABLE_SIZE): no allocation per frame.
/// </summary>
internal sealed unsafe class AlbClients
{
    private const int TableSize = 256;
    private const ushort ArpType = 0x0806, ArpReply = 2;
    private const int ArpOperationOffset = 14 + 6, ArpTargetIpOffset = 14 + 24, ArpFrameSize = 14 + 28;

    private readonly uint[] _address = new uint[TableSize];
    private readonly int[] _member = new int[TableSize];
    private readonly bool[] _used = new bool[TableSize];
    private int _next;

    /// <summary>For an ARP reply, the position in <paramref name="carriers"/> of its client's member; -1 for any other frame.</summary>
    public int MemberFor(in Frame frame, int[] carriers)
    {
        if (frame.Length < ArpFrameSize) return -1;
        var bytes = frame.Bytes;
        if (BinaryPrimitives.ReadUInt16BigEndian(bytes[12..]) != ArpType ||
            BinaryPrimitives.ReadUInt16BigEndian(bytes[ArpOperationOffset..]) != ArpReply)
            return -1;
        uint client = BinaryPrimitives.ReadUInt32BigEndian(bytes[ArpTargetIpOffset..]);
        int entry = (int)((client ^ (client >> 8) ^ (client >> 16) ^ (client >> 24)) & (TableSize - 1));
        if (_used[entry] && _address[entry] == client)
        {
            int slot = Array.IndexOf(carriers, _member[entry]);
            if (slot >= 0) return slot;
        }
        // A new client, or its member no longer carries: the next member in turn.
        int chosen = _next++ % carriers.Length;
        _address[entry] = client;
        _member[entry] = carriers[chosen];
        _used[entry] = true;
        return chosen;
    }
}
