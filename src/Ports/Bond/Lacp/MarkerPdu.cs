namespace VirtioForwarder.Ports.Bond.Lacp;

/// <summary>
/// The Marker protocol (802.1AX-2008 §5.5): a partner may send a Marker Information PDU and
/// expects it back as a Marker Response with the same requester fields. As DPDK's mode 4 does, a
/// received Information PDU is turned into the response in place and sent back on the link it
/// came from; anything else of subtype Marker is dropped.
/// </summary>
public static class MarkerPdu
{
    private const byte InformationTlv = 1, ResponseTlv = 2, InfoTlvLength = 16;
    private const int TlvOffset = SlowProtocols.EthernetHeaderSize + 2;

    /// <summary>True for a Marker Information PDU, which deserves a response.</summary>
    public static bool IsInformation(ReadOnlySpan<byte> frame) =>
        SlowProtocols.Subtype(frame) == SlowProtocols.MarkerSubtype &&
        frame[TlvOffset] == InformationTlv && frame[TlvOffset + 1] == InfoTlvLength;

    /// <summary>Rewrites a Marker Information frame as the Response sent from <paramref name="source"/>.</summary>
    public static void ToResponse(Span<byte> frame, MacAddress source)
    {
        SlowProtocols.WriteHeader(frame, source);
        frame[TlvOffset] = ResponseTlv;
    }
}
