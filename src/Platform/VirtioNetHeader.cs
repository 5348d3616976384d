using System.Buffers.Binary;

namespace VirtioForwarder.Platform;

/// <summary>
/// A frame's offload state as struct virtio_net_hdr carries it (virtio 1.2 §5.1.6, without
/// num_buffers): a checksum left to the receiver (NEEDS_CSUM from csum_start, stored at
/// csum_offset), one already checked (DATA_VALID), or an unsegmented TCP frame (GSO) to be cut
/// into gso_size-byte segments. All zero is a plain, complete frame. The same ten bytes are what
/// AF_PACKET's PACKET_VNET_HDR reads and writes, so the header crosses both ways unchanged; on
/// the wire its 16-bit fields are little-endian (VERSION_1's le16, and the kernel's vio_le() on
/// little-endian hosts).
/// </summary>
public struct VirtioNetHeader
{
    /// <summary>Bytes of the header on the wire.</summary>
    public const int Size = 10;

    /// <summary>
    /// The longest unsegmented frame: a 64 KiB GSO packet (the most a Linux sender or GRO makes
    /// without BIG TCP) and its Ethernet header: virtio's own bound, whose guests post 65562-byte
    /// receive buffers for GUEST_TSO, the frame after a 12-byte header (virtio 1.2 §5.1.6.3.1).
    /// </summary>
    public const int MaxGsoFrame = 65550;

    public const byte NeedsChecksum = 1, DataValid = 2;
    public const byte GsoNone = 0, GsoTcpV4 = 1, GsoUdp = 3, GsoTcpV6 = 4, GsoUdpL4 = 5, GsoEcn = 0x80;

    public byte Flags;
    public byte GsoType;
    public ushort HeaderLength;
    public ushort GsoSize;
    public ushort ChecksumStart;
    public ushort ChecksumOffset;

    /// <summary>No offload state: the frame is complete as it is.</summary>
    public readonly bool IsPlain => (Flags | GsoType) == 0;

    /// <summary>The GSO type without the ECN bit.</summary>
    public readonly byte GsoProtocol => (byte)(GsoType & ~GsoEcn);

    public static VirtioNetHeader Read(ReadOnlySpan<byte> wire) => new()
    {
        Flags = wire[0],
        GsoType = wire[1],
        HeaderLength = BinaryPrimitives.ReadUInt16LittleEndian(wire[2..]),
        GsoSize = BinaryPrimitives.ReadUInt16LittleEndian(wire[4..]),
        ChecksumStart = BinaryPrimitives.ReadUInt16LittleEndian(wire[6..]),
        ChecksumOffset = BinaryPrimitives.ReadUInt16LittleEndian(wire[8..]),
    };

    public readonly void Write(Span<byte> wire)
    {
        wire[0] = Flags;
        wire[1] = GsoType;
        BinaryPrimitives.WriteUInt16LittleEndian(wire[2..], HeaderLength);
        BinaryPrimitives.WriteUInt16LittleEndian(wire[4..], GsoSize);
        BinaryPrimitives.WriteUInt16LittleEndian(wire[6..], ChecksumStart);
        BinaryPrimitives.WriteUInt16LittleEndian(wire[8..], ChecksumOffset);
    }
}
