using System.Buffers.Binary;

namespace VirtioForwarder.Ports.Bond.Lacp;

/// <summary>
/// The Slow Protocols frame shape LACP and the Marker protocol share (IEEE 802.3 Annex 43B,
/// 802.1AX §5.3.1/§5.4.2): the Slow_Protocols_Multicast destination, EtherType 0x8809, a subtype
/// octet, and 110 octets of PDU after the Ethernet header.
/// </summary>
public static class SlowProtocols
{
    public const ushort EtherType = 0x8809;
    public const byte LacpSubtype = 1, MarkerSubtype = 2;
    public static readonly MacAddress MulticastAddress = new(0x0180_C200_0002);

    public const int EthernetHeaderSize = 14;
    public const int PduSize = 110;
    public const int FrameSize = EthernetHeaderSize + PduSize;

    /// <summary>The subtype of a Slow Protocols frame carrying LACP or Marker; 0 for any other frame (untagged only, as DPDK).</summary>
    public static byte Subtype(ReadOnlySpan<byte> frame)
    {
        if (frame.Length < FrameSize || BinaryPrimitives.ReadUInt16BigEndian(frame[12..]) != EtherType) return 0;
        byte subtype = frame[EthernetHeaderSize];
        return subtype is LacpSubtype or MarkerSubtype ? subtype : (byte)0;
    }

    /// <summary>Writes the Ethernet header of a Slow Protocols frame sent from <paramref name="source"/>.</summary>
    public static void WriteHeader(Span<byte> frame, MacAddress source)
    {
        MulticastAddress.Write(frame);
        source.Write(frame[MacAddress.Size..]);
        BinaryPrimitives.WriteUInt16BigEndian(frame[12..], EtherType);
    }
}
