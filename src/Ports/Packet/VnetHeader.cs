using System.Buffers.Binary;

namespace VirtioForwarder.Ports.Packet;

/// <summary>
/// The struct virtio_net_hdr AF_PACKET puts before each frame with PACKET_VNET_HDR (virtio spec
/// §5.1.6): offload state the kernel did not resolve. The relay carries plain frames for now, so
/// the port resolves it: a frame whose checksum was left to the device (NEEDS_CSUM, as a local
/// socket's traffic over a veth has) gets it computed here; an unsegmented GSO frame, which no
/// plain-frame guest can take, is refused.
/// </summary>
internal static unsafe class VnetHeader
{
    /// <summary>The header without num_buffers, as PACKET_VNET_HDR has it.</summary>
    public const int Size = 10;

    private const byte NeedsChecksum = 1, GsoNone = 0;
    private const int FlagsOffset = 0, GsoTypeOffset = 1, ChecksumStartOffset = 6, ChecksumOffsetOffset = 8;

    /// <summary>Makes <paramref name="frame"/> a plain, complete frame; false if it cannot be one.</summary>
    public static bool Complete(byte* header, byte* frame, int length)
    {
        if (header[GsoTypeOffset] != GsoNone) return false;
        if ((header[FlagsOffset] & NeedsChecksum) == 0) return true;
        int start = BinaryPrimitives.ReadUInt16LittleEndian(new ReadOnlySpan<byte>(header + ChecksumStartOffset, 2));
        int field = start + BinaryPrimitives.ReadUInt16LittleEndian(new ReadOnlySpan<byte>(header + ChecksumOffsetOffset, 2));
        if (field + 2 > length) return false;
        // The field holds the pseudo-header's sum; the sum from csum_start to the end, complemented, completes it (RFC 1071).
        ushort checksum = (ushort)~OnesComplementSum(new ReadOnlySpan<byte>(frame + start, length - start));
        // 0 means "no checksum" to UDP; its one's-complement twin 0xffff is the same sum.
        BinaryPrimitives.WriteUInt16BigEndian(new Span<byte>(frame + field, 2), checksum == 0 ? (ushort)0xffff : checksum);
        return true;
    }

    private static ushort OnesComplementSum(ReadOnlySpan<byte> data)
    {
        ulong sum = 0;
        int i = 0;
        for (; i + 4 <= data.Length; i += 4) sum += BinaryPrimitives.ReadUInt32BigEndian(data[i..]);
        for (; i + 2 <= data.Length; i += 2) sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        if (i < data.Length) sum += (ulong)data[i] << 8;
        while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
        return (ushort)sum;
    }
}
