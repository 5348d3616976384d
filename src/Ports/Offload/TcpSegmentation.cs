using System.Buffers.Binary;
using VirtioForwarder.Platform;

namespace VirtioForwarder.Ports.Offload;

/// <summary>
/// Where the parts of an unsegmented TCP frame (GSO_TCPV4/TCPV6) are: found from the frame's
/// own headers, not from the virtio-net header's hdr_len, which senders fill loosely.
/// </summary>
public readonly record struct TcpSegmentPlan(int NetworkOffset, int TransportOffset, int HeadersLength, int SegmentSize,
    int PayloadLength, bool IsIPv6)
{
    /// <summary>How many frames the payload is cut into.</summary>
    public int Count => (PayloadLength + SegmentSize - 1) / SegmentSize;

    /// <summary>The longest segment: every header plus one gso_size of payload.</summary>
    public int MaxSegmentLength => HeadersLength + Math.Min(SegmentSize, PayloadLength);
}

/// <summary>
/// TCP segmentation in software, what a NIC's TSO does for a frame the guest or the kernel left
/// whole: each segment carries the headers and gso_size bytes of payload, with its own IPv4 total
/// length, identification (the first's plus its index) and header checksum, or IPv6 payload
/// length, its own sequence number, FIN and PSH only on the last, CWR only on the first (RFC 3168
/// §6.1.2), and a complete TCP checksum. Ethernet with any number of VLAN tags; IPv4 with options;
/// IPv6 with the extension headers every segment can carry unchanged (<see cref="TryFindIPv6Tcp"/>).
/// </summary>
public static unsafe class TcpSegmentation
{
    private const int EthernetHeader = 14, VlanTag = 4, IPv6Header = 40, MinTcpHeader = 20;
    private const ushort EtherTypeIPv4 = 0x0800, EtherTypeIPv6 = 0x86dd, EtherTypeVlan = 0x8100, EtherTypeQinQ = 0x88a8;
    private const byte HopByHop = 0, Routing = 43, DestinationOptions = 60;
    private const byte ProtocolTcp = 6, TcpFin = 0x01, TcpPsh = 0x08, TcpCwr = 0x80;

    /// <summary>Reads the frame's headers; false if it is not a TCP frame of the kind its GSO type says, or has no payload.</summary>
    public static bool TryPlan(in Frame frame, out TcpSegmentPlan plan)
    {
        plan = default;
        var bytes = new ReadOnlySpan<byte>(frame.Data, frame.Length);
        bool ipv6 = frame.Offload.GsoProtocol == VirtioNetHeader.GsoTcpV6;
        if (!ipv6 && frame.Offload.GsoProtocol != VirtioNetHeader.GsoTcpV4) return false;
        int network = EthernetHeader;
        ushort etherType = bytes.Length >= network ? BinaryPrimitives.ReadUInt16BigEndian(bytes[(network - 2)..]) : (ushort)0;
        while (etherType is EtherTypeVlan or EtherTypeQinQ && bytes.Length >= network + VlanTag)
        {
            network += VlanTag;
            etherType = BinaryPrimitives.ReadUInt16BigEndian(bytes[(network - 2)..]);
        }
        int transport;
        if (ipv6)
        {
            if (etherType != EtherTypeIPv6 || bytes.Length < network + IPv6Header || !TryFindIPv6Tcp(bytes, network, out transport)) return false;
        }
        else
        {
            if (etherType != EtherTypeIPv4 || bytes.Length < network + 20 || bytes[network] >> 4 != 4 || bytes[network + 9] != ProtocolTcp) return false;
            transport = network + (bytes[network] & 0xf) * 4;
        }
        if (bytes.Length < transport + MinTcpHeader) return false;
        int headers = transport + (bytes[transport + 12] >> 4) * 4;
        int payload = bytes.Length - headers;
        if (headers < transport + MinTcpHeader || payload <= 0 || frame.Offload.GsoSize == 0) return false;
        plan = new TcpSegmentPlan(network, transport, headers, frame.Offload.GsoSize, payload, ipv6);
        return true;
    }

    /// <summary>
    /// Where TCP starts after the IPv6 fixed header and the extension headers (RFC 8200 §4) that
    /// segments repeat as they are: hop-by-hop and destination options, and a routing header with
    /// no segments left, whose packet's destination address is then the final one the checksum's
    /// pseudo-header needs (§8.1). False for anything else before TCP: a fragment header, AH or
    /// ESP cannot be repeated unchanged over several segments.
    /// </summary>
    private static bool TryFindIPv6Tcp(ReadOnlySpan<byte> bytes, int network, out int transport)
    {
        byte next = bytes[network + 6];
        transport = network + IPv6Header;
        // Each header is at least 8 bytes and must lie in the frame, so the walk ends.
        while (next != ProtocolTcp)
        {
            if (next is not (HopByHop or Routing or DestinationOptions) || bytes.Length < transport + 8) return false;
            if (next == Routing && bytes[transport + 3] != 0) return false;
            next = bytes[transport];
            transport += (bytes[transport + 1] + 1) * 8;
        }
        return true;
    }

    /// <summary>
    /// Writes segment <paramref name="index"/> of <paramref name="source"/> into
    /// <paramref name="target"/> (which must hold <see cref="TcpSegmentPlan.MaxSegmentLength"/>
    /// bytes) as a plain frame; returns its length.
    /// </summary>
    public static int WriteSegment(in Frame source, in TcpSegmentPlan plan, int index, byte* target)
    {
        int offset = index * plan.SegmentSize;
        int chunk = Math.Min(plan.SegmentSize, plan.PayloadLength - offset);
        int length = plan.HeadersLength + chunk;
        var from = new ReadOnlySpan<byte>(source.Data, source.Length);
        var to = new Span<byte>(target, length);
        from[..plan.HeadersLength].CopyTo(to);
        from.Slice(plan.HeadersLength + offset, chunk).CopyTo(to[plan.HeadersLength..]);

        var ip = to[plan.NetworkOffset..plan.TransportOffset];
        if (plan.IsIPv6)
            BinaryPrimitives.WriteUInt16BigEndian(ip[4..], (ushort)(length - plan.NetworkOffset - IPv6Header));
        else
        {
            BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(length - plan.NetworkOffset));
            BinaryPrimitives.WriteUInt16BigEndian(ip[4..], (ushort)(BinaryPrimitives.ReadUInt16BigEndian(ip[4..]) + index));
            BinaryPrimitives.WriteUInt16BigEndian(ip[10..], 0);
            BinaryPrimitives.WriteUInt16BigEndian(ip[10..], InternetChecksum.Finish(InternetChecksum.Add(0, ip)));
        }

        var tcp = to[plan.TransportOffset..];
        BinaryPrimitives.WriteUInt32BigEndian(tcp[4..], BinaryPrimitives.ReadUInt32BigEndian(tcp[4..]) + (uint)offset);
        if (offset + chunk < plan.PayloadLength) tcp[13] &= unchecked((byte)~(TcpFin | TcpPsh));
        if (index > 0) tcp[13] &= unchecked((byte)~TcpCwr);
        BinaryPrimitives.WriteUInt16BigEndian(tcp[16..], 0);
        ulong sum = PseudoHeaderSum(ip, plan.IsIPv6, tcp.Length);
        BinaryPrimitives.WriteUInt16BigEndian(tcp[16..], InternetChecksum.Finish(InternetChecksum.Add(sum, tcp)));
        return length;
    }

    /// <summary>The pseudo-header's sum (RFC 9293 §3.1, RFC 8200 §8.1): addresses, protocol, TCP length.</summary>
    private static ulong PseudoHeaderSum(ReadOnlySpan<byte> ip, bool ipv6, int tcpLength)
    {
        var addresses = ipv6 ? ip.Slice(8, 32) : ip.Slice(12, 8);
        return InternetChecksum.Add(0, addresses) + ProtocolTcp + (ulong)tcpLength;
    }
}
