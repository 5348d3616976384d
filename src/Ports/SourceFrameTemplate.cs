using System.Buffers.Binary;

namespace VirtioForwarder.Ports;

/// <summary>
/// The frame a <c>null:&lt;size&gt;</c> source emits: Ethernet/IPv4/UDP from 02:00:00:00:00:01,
/// 198.18.0.1:9 to 02:00:00:00:00:02, 198.18.0.2:9 (RFC 2544's benchmark range, the discard
/// port), with a zero payload. It is cut to the size, so below 42 bytes only part of the headers
/// remains; from 42 bytes up the IPv4 and UDP lengths match the size.
/// </summary>
internal static class SourceFrameTemplate
{
    private const int EthernetHeader = 14, Ipv4Header = 20, UdpHeader = 8;
    private const int HeadersLength = EthernetHeader + Ipv4Header + UdpHeader;
    private const ushort EtherTypeIpv4 = 0x0800, DiscardPort = 9;
    private const byte UdpProtocol = 17, DefaultTtl = 64;

    public static byte[] Build(int size)
    {
        var frame = new byte[Math.Max(size, HeadersLength)];
        WriteEthernet(frame.AsSpan(0, EthernetHeader));
        WriteIpv4(frame.AsSpan(EthernetHeader, Ipv4Header), frame.Length - EthernetHeader);
        WriteUdp(frame.AsSpan(EthernetHeader + Ipv4Header, UdpHeader), frame.Length - EthernetHeader - Ipv4Header);
        return frame[..size];
    }

    private static void WriteEthernet(Span<byte> header)
    {
        ReadOnlySpan<byte> destination = [0x02, 0, 0, 0, 0, 0x02], source = [0x02, 0, 0, 0, 0, 0x01];
        destination.CopyTo(header);
        source.CopyTo(header[6..]);
        BinaryPrimitives.WriteUInt16BigEndian(header[12..], EtherTypeIpv4);
    }

    private static void WriteIpv4(Span<byte> header, int totalLength)
    {
        header[0] = 0x45; // version 4, 5 words of header
        BinaryPrimitives.WriteUInt16BigEndian(header[2..], (ushort)totalLength);
        header[8] = DefaultTtl;
        header[9] = UdpProtocol;
        ReadOnlySpan<byte> addresses = [198, 18, 0, 1, 198, 18, 0, 2];
        addresses.CopyTo(header[12..]);
        BinaryPrimitives.WriteUInt16BigEndian(header[10..], InternetChecksum(header));
    }

    private static void WriteUdp(Span<byte> header, int length)
    {
        BinaryPrimitives.WriteUInt16BigEndian(header, DiscardPort);
        BinaryPrimitives.WriteUInt16BigEndian(header[2..], DiscardPort);
        BinaryPrimitives.WriteUInt16BigEndian(header[4..], (ushort)length);
        // The checksum stays 0: "none computed", which IPv4 allows for UDP.
    }

    /// <summary>RFC 1071: the one's complement of the one's-complement sum of 16-bit words (even length).</summary>
    private static ushort InternetChecksum(ReadOnlySpan<byte> data)
    {
        uint sum = 0;
        for (int i = 0; i < data.Length; i += 2) sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        while (sum > 0xFFFF) sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)~sum;
    }
}
