using System.Buffers.Binary;

namespace VirtioForwarder.Ports.Bond.Lacp;

/// <summary>
/// A LACPDU (802.1AX-2008 §5.4.2.2): version 1, Actor and Partner Information TLVs (type 1 and 2,
/// length 20), Collector Information (type 3, length 16), Terminator, 50 reserved octets.
/// </summary>
public readonly record struct Lacpdu(LacpPortInfo Actor, LacpPortInfo Partner, ushort CollectorMaxDelay = 0)
{
    private const byte Version = 1;
    private const byte ActorTlv = 1, PartnerTlv = 2, CollectorTlv = 3, TerminatorTlv = 0;
    private const byte InfoTlvLength = 20, CollectorTlvLength = 16;
    private const int ActorOffset = SlowProtocols.EthernetHeaderSize + 2;
    private const int PartnerOffset = ActorOffset + InfoTlvLength;
    private const int CollectorOffset = PartnerOffset + InfoTlvLength;
    private const int TerminatorOffset = CollectorOffset + CollectorTlvLength;

    /// <summary>Writes the whole frame (Ethernet header from <paramref name="source"/>, reserved octets zero); returns its length.</summary>
    public int Encode(Span<byte> frame, MacAddress source)
    {
        var f = frame[..SlowProtocols.FrameSize];
        f.Clear();
        SlowProtocols.WriteHeader(f, source);
        f[SlowProtocols.EthernetHeaderSize] = SlowProtocols.LacpSubtype;
        f[SlowProtocols.EthernetHeaderSize + 1] = Version;
        WriteInfo(f[ActorOffset..], ActorTlv, Actor);
        WriteInfo(f[PartnerOffset..], PartnerTlv, Partner);
        f[CollectorOffset] = CollectorTlv;
        f[CollectorOffset + 1] = CollectorTlvLength;
        BinaryPrimitives.WriteUInt16BigEndian(f[(CollectorOffset + 2)..], CollectorMaxDelay);
        f[TerminatorOffset] = TerminatorTlv;
        return SlowProtocols.FrameSize;
    }

    /// <summary>
    /// Reads a LACPDU frame. Checks the subtype and the TLV types and lengths, not the version,
    /// which §5.4.2.2 tells receivers to accept whatever its value (later versions only add TLVs).
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> frame, out Lacpdu pdu)
    {
        pdu = default;
        if (SlowProtocols.Subtype(frame) != SlowProtocols.LacpSubtype) return false;
        if (!IsTlv(frame, ActorOffset, ActorTlv, InfoTlvLength) || !IsTlv(frame, PartnerOffset, PartnerTlv, InfoTlvLength) ||
            !IsTlv(frame, CollectorOffset, CollectorTlv, CollectorTlvLength))
            return false;
        pdu = new Lacpdu(ReadInfo(frame[ActorOffset..]), ReadInfo(frame[PartnerOffset..]),
            BinaryPrimitives.ReadUInt16BigEndian(frame[(CollectorOffset + 2)..]));
        return true;
    }

    private static bool IsTlv(ReadOnlySpan<byte> frame, int offset, byte type, byte length) =>
        frame[offset] == type && frame[offset + 1] == length;

    private static void WriteInfo(Span<byte> tlv, byte type, in LacpPortInfo info)
    {
        tlv[0] = type;
        tlv[1] = InfoTlvLength;
        BinaryPrimitives.WriteUInt16BigEndian(tlv[2..], info.SystemPriority);
        info.System.Write(tlv[4..]);
        BinaryPrimitives.WriteUInt16BigEndian(tlv[10..], info.Key);
        BinaryPrimitives.WriteUInt16BigEndian(tlv[12..], info.PortPriority);
        BinaryPrimitives.WriteUInt16BigEndian(tlv[14..], info.Port);
        tlv[16] = (byte)info.State;
    }

    private static LacpPortInfo ReadInfo(ReadOnlySpan<byte> tlv) => new(
        BinaryPrimitives.ReadUInt16BigEndian(tlv[2..]),
        MacAddress.Read(tlv[4..]),
        BinaryPrimitives.ReadUInt16BigEndian(tlv[10..]),
        BinaryPrimitives.ReadUInt16BigEndian(tlv[12..]),
        BinaryPrimitives.ReadUInt16BigEndian(tlv[14..]),
        (LacpState)tlv[16]);
}
