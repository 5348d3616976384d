using System.Buffers.Binary;
using VirtioForwarder.Platform;
using VirtioForwarder.Ports.Offload;

namespace VirtioForwarder.Ports.Tests.Offload;

/// <summary>Software TSO and checksum completion on frames built here, checked field by field.</summary>
public sealed unsafe class TcpSegmentationTests
{
    private const byte Ack = 0x10, Psh = 0x08, Fin = 0x01, Cwr = 0x80;

    /// <summary>
    /// IPv6 extension headers before TCP (RFC 8200 §4): the first <paramref name="count"/> of
    /// hop-by-hop options (8 bytes), a routing header with <paramref name="segmentsLeft"/>
    /// (8 bytes) and destination options (16 bytes); the fixed header's next header is First.
    /// </summary>
    private static (byte First, byte[] Bytes) Extensions(int count, byte segmentsLeft = 0)
    {
        (byte Type, byte[] Header)[] all = [(0, new byte[8]), (43, [0, 0, 4, segmentsLeft, 0, 0, 0, 0]), (60, [0, 1, .. new byte[14]])];
        var chosen = all[..count];
        for (int i = 0; i < chosen.Length; i++) chosen[i].Header[0] = i + 1 < chosen.Length ? chosen[i + 1].Type : (byte)6;
        return (count == 0 ? (byte)6 : chosen[0].Type, [.. chosen.SelectMany(e => e.Header)]);
    }

    /// <summary>An Ethernet/[802.1Q]/IPv4-or-IPv6[+extensions]/TCP frame as a sender with TSO leaves it: one header, a partial checksum.</summary>
    private static byte[] GsoFrame(bool ipv6, bool vlan, int payload, byte flags, (byte First, byte[] Bytes) extensions = default)
    {
        extensions.Bytes ??= [];
        if (extensions.Bytes.Length == 0) extensions.First = 6;
        var frame = new List<byte> { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1 };
        if (vlan) frame.AddRange([0x81, 0x00, 0x00, 0x05]);
        frame.AddRange(ipv6 ? [0x86, 0xdd] : [0x08, 0x00]);
        int tcpLength = 20 + payload;
        if (ipv6)
        {
            int ipPayload = extensions.Bytes.Length + tcpLength;
            frame.AddRange([0x60, 0, 0, 0, (byte)(ipPayload >> 8), (byte)ipPayload, extensions.First, 64]);
            frame.AddRange(Enumerable.Range(0, 16).Select(i => (byte)(0x20 + i)));
            frame.AddRange(Enumerable.Range(0, 16).Select(i => (byte)(0x40 + i)));
            frame.AddRange(extensions.Bytes);
        }
        else
        {
            int total = 20 + tcpLength;
            frame.AddRange([0x45, 0, (byte)(total >> 8), (byte)total, 0x12, 0x34, 0x40, 0, 64, 6, 0, 0, 198, 18, 0, 1, 198, 18, 0, 2]);
        }
        frame.AddRange([0x13, 0x89, 0x9c, 0x40, 0, 0, 0x03, 0xe8, 0, 0, 0, 1, 0x50, flags, 0xff, 0xff, 0, 0, 0, 0]);
        frame.AddRange(Enumerable.Range(0, payload).Select(i => (byte)(i % 251)));
        return [.. frame];
    }

    private static Frame Over(byte* data, int length, byte gsoType, int gsoSize, int transport) => new()
    {
        Data = data, Length = length, Capacity = length,
        Offload = new VirtioNetHeader
        {
            Flags = VirtioNetHeader.NeedsChecksum, GsoType = gsoType, GsoSize = (ushort)gsoSize,
            HeaderLength = (ushort)(transport + 20), ChecksumStart = (ushort)transport, ChecksumOffset = 16,
        },
    };

    private static bool Sums(ReadOnlySpan<byte> bytes, ulong initial = 0) => InternetChecksum.Fold(InternetChecksum.Add(initial, bytes)) == 0xffff;

    [Theory]
    [InlineData(false, false, 3000, 1000, 0)]
    [InlineData(false, true, 2900, 1448, 0)]
    [InlineData(true, false, 4000, 1428, 0)]
    [InlineData(true, true, 1429, 1428, 0)]
    [InlineData(true, false, 4000, 1400, 1)]
    [InlineData(true, true, 3000, 1000, 3)]
    public void EachSegmentIsAWholeTcpSegmentWithItsOwnLengthsSequenceAndChecksums(bool ipv6, bool vlan, int payload, int mss, int ipv6Extensions)
    {
        var extensions = Extensions(ipv6Extensions);
        byte[] source = GsoFrame(ipv6, vlan, payload, Ack | Psh | Fin | Cwr, extensions);
        int network = vlan ? 18 : 14, transport = network + (ipv6 ? 40 + extensions.Bytes.Length : 20), headers = transport + 20;
        var target = new byte[headers + mss];
        var segments = new List<byte[]>();
        fixed (byte* data = source)
        fixed (byte* to = target)
        {
            var frame = Over(data, source.Length, ipv6 ? VirtioNetHeader.GsoTcpV6 : VirtioNetHeader.GsoTcpV4, mss, transport);
            Assert.True(TcpSegmentation.TryPlan(frame, out var plan));
            Assert.Equal((payload + mss - 1) / mss, plan.Count);
            for (int i = 0; i < plan.Count; i++)
                segments.Add(target.AsSpan(0, TcpSegmentation.WriteSegment(frame, plan, i, to)).ToArray());
        }

        var carried = new List<byte>();
        for (int i = 0; i < segments.Count; i++)
        {
            var segment = segments[i];
            var ip = segment.AsSpan(network, transport - network);
            var tcp = segment.AsSpan(transport);
            Assert.Equal(source.AsSpan(0, network).ToArray(), segment[..network]);
            ulong pseudo;
            if (ipv6)
            {
                Assert.Equal(segment.Length - network - 40, BinaryPrimitives.ReadUInt16BigEndian(ip[4..]));
                pseudo = InternetChecksum.Add(0, ip.Slice(8, 32)) + 6 + (ulong)tcp.Length;
            }
            else
            {
                Assert.Equal(segment.Length - network, BinaryPrimitives.ReadUInt16BigEndian(ip[2..]));
                Assert.Equal(0x1234 + i, BinaryPrimitives.ReadUInt16BigEndian(ip[4..]));
                Assert.True(Sums(ip), $"segment {i}: IPv4 header checksum");
                pseudo = InternetChecksum.Add(0, ip.Slice(12, 8)) + 6 + (ulong)tcp.Length;
            }
            Assert.True(Sums(tcp, pseudo), $"segment {i}: TCP checksum");
            Assert.Equal(1000u + (uint)(i * mss), BinaryPrimitives.ReadUInt32BigEndian(tcp[4..]));
            bool last = i == segments.Count - 1;
            byte expected = (byte)(Ack | (last ? Psh | Fin : 0) | (i == 0 ? Cwr : 0));
            Assert.Equal(expected, tcp[13]);
            Assert.True(segment.Length <= headers + mss);
            carried.AddRange(segment[headers..]);
        }
        Assert.Equal(source[headers..], carried.ToArray());
    }

    [Fact]
    public void AFrameThatIsNotWhatItsGsoTypeSaysIsNotCut()
    {
        byte[] source = GsoFrame(ipv6: false, vlan: false, 3000, Ack);
        fixed (byte* data = source)
        {
            Assert.False(TcpSegmentation.TryPlan(Over(data, source.Length, VirtioNetHeader.GsoTcpV6, 1000, 34), out _));
            Assert.False(TcpSegmentation.TryPlan(Over(data, source.Length, VirtioNetHeader.GsoUdp, 1000, 34), out _));
            Assert.False(TcpSegmentation.TryPlan(Over(data, 40, VirtioNetHeader.GsoTcpV4, 1000, 34), out _));
            Assert.False(TcpSegmentation.TryPlan(Over(data, source.Length, VirtioNetHeader.GsoTcpV4, 0, 34), out _));
        }
    }

    [Theory]
    [InlineData(44)]    // fragment
    [InlineData(51)]    // authentication header
    [InlineData(43)]    // routing, a segment left: the destination address is not the final one
    public void AnIPv6FrameWithAnExtensionHeaderSegmentsCannotRepeatIsNotCut(byte kind)
    {
        (byte First, byte[] Bytes) extensions = kind == 43 ? Extensions(2, segmentsLeft: 1) : (kind, [6, 0, 0, 0, 0, 0, 0, 0]);
        byte[] source = GsoFrame(ipv6: true, vlan: false, 3000, Ack, extensions);
        fixed (byte* data = source)
            Assert.False(TcpSegmentation.TryPlan(Over(data, source.Length, VirtioNetHeader.GsoTcpV6, 1000, 54 + extensions.Bytes.Length), out _));
    }

    [Fact]
    public void APartialChecksumIsCompletedInPlace()
    {
        byte[] source = GsoFrame(ipv6: false, vlan: false, 333, Ack);
        var tcp = source.AsSpan(34);
        // The pseudo-header's sum in the field, as a sender with checksum offload leaves it.
        ushort pseudo = InternetChecksum.Fold(InternetChecksum.Add(0, source.AsSpan(26, 8)) + 6 + (ulong)tcp.Length);
        BinaryPrimitives.WriteUInt16BigEndian(tcp[16..], pseudo);
        fixed (byte* data = source)
        {
            var frame = Over(data, source.Length, VirtioNetHeader.GsoNone, 0, 34);
            Assert.True(PartialChecksum.Complete(ref frame));
            Assert.Equal(0, frame.Offload.Flags & VirtioNetHeader.NeedsChecksum);
        }
        Assert.True(Sums(tcp, InternetChecksum.Add(0, source.AsSpan(26, 8)) + 6 + (ulong)tcp.Length));
    }
}
