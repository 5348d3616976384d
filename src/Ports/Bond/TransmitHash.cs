using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace VirtioForwarder.Ports.Bond;

/// <summary>
/// The member-picking hashes of DPDK's balance and 802.3ad modes (burst_xmit_l2/l23/l34_hash), so
/// a flow leaves on the member DPDK would pick. Like DPDK they XOR header words as the CPU reads
/// them (little-endian) and skip one or two VLAN tags. Frames too short for a header hash as if
/// that header were absent.
/// </summary>
public static unsafe class TransmitHash
{
    private const int EthernetHeader = 14, VlanTag = 4;
    private const ushort Ipv4 = 0x0800, Ipv6 = 0x86DD, Vlan = 0x8100, QinQ = 0x88A8;
    private const byte Tcp = 6, Udp = 17;
    private const int Ipv4MinHeader = 20, Ipv6Header = 40;

    /// <summary>The index, below <paramref name="members"/>, of the member that sends this frame.</summary>
    public static int Pick(TransmitHashPolicy policy, byte* frame, int length, int members) =>
        (int)(Hash(policy, frame, length) % (uint)members);

    public static uint Hash(TransmitHashPolicy policy, byte* frame, int length)
    {
        if (length < EthernetHeader) return 0;
        if (policy == TransmitHashPolicy.Layer2)
        {
            uint l2 = EthernetHash(frame);
            return l2 ^ (l2 >> 8);
        }
        uint hash = policy == TransmitHashPolicy.Layer23 ? EthernetHash(frame) ^ L3Hash(frame, length, out _, out _) : L34Hash(frame, length);
        hash ^= hash >> 16;
        return hash ^ (hash >> 8);
    }

    private static uint EthernetHash(byte* frame) =>
        (uint)(ushort)(Read16(frame, 0) ^ Read16(frame, 6) ^ Read16(frame, 2) ^ Read16(frame, 8) ^ Read16(frame, 4) ^ Read16(frame, 10));

    private static uint L34Hash(byte* frame, int length)
    {
        uint l3 = L3Hash(frame, length, out int l4Offset, out byte protocol);
        if (l4Offset < 0 || protocol is not (Tcp or Udp) || l4Offset + 4 > length) return l3;
        // The XOR of the source and destination ports, as DPDK's HASH_L4_PORTS.
        return l3 ^ (ushort)(Read16(frame, l4Offset) ^ Read16(frame, l4Offset + 2));
    }

    /// <summary>XOR of the IP addresses, 0 for non-IP; also where the L4 header starts (-1 if none: not IP, or a fragment) and its protocol.</summary>
    private static uint L3Hash(byte* frame, int length, out int l4Offset, out byte protocol)
    {
        l4Offset = -1;
        protocol = 0;
        int offset = EthernetHeader;
        ushort type = BinaryPrimitives.ReverseEndianness(Read16(frame, 12));
        for (int tags = 0; tags < 2 && type is Vlan or QinQ && offset + VlanTag <= length; tags++)
        {
            type = BinaryPrimitives.ReverseEndianness(Read16(frame, offset + 2));
            offset += VlanTag;
        }
        if (type == Ipv4 && offset + Ipv4MinHeader <= length)
        {
            byte* ip = frame + offset;
            ushort fragment = BinaryPrimitives.ReverseEndianness(Read16(ip, 6));
            // Only an unfragmented datagram has its L4 header here (DPDK: rte_ipv4_frag_pkt_is_fragmented).
            if ((fragment & 0x3FFF) == 0)
            {
                l4Offset = offset + (ip[0] & 0x0F) * 4;
                protocol = ip[9];
            }
            return Read32(ip, 12) ^ Read32(ip, 16);
        }
        if (type == Ipv6 && offset + Ipv6Header <= length)
        {
            byte* ip = frame + offset;
            l4Offset = offset + Ipv6Header;
            protocol = ip[6];
            uint hash = 0;
            for (int word = 0; word < 4; word++) hash ^= Read32(ip, 8 + word * 4) ^ Read32(ip, 24 + word * 4);
            return hash;
        }
        return 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ushort Read16(byte* p, int offset) => Unsafe.ReadUnaligned<ushort>(p + offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Read32(byte* p, int offset) => Unsafe.ReadUnaligned<uint>(p + offset);
}
