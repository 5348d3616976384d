using VirtioForwarder.Ports.Bond.Lacp;

namespace VirtioForwarder.Ports.Tests.Bond;

public class LacpduTests
{
    private static readonly MacAddress Source = new(0x0200_0000_0001);

    // A LACPDU written out octet by octet from 802.1AX-2008 figure 5-7.
    private static byte[] KnownFrame()
    {
        var f = new byte[124];
        byte[] header = [0x01, 0x80, 0xC2, 0x00, 0x00, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x88, 0x09, 0x01, 0x01];
        header.CopyTo(f, 0);
        // Actor TLV: type 1, length 20, priority 0x8000, system 00:11:22:33:44:55, key 0x0021, port priority 0x00FF, port 7, state 0x3D.
        byte[] actor = [0x01, 0x14, 0x80, 0x00, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x00, 0x21, 0x00, 0xFF, 0x00, 0x07, 0x3D, 0, 0, 0];
        actor.CopyTo(f, 16);
        // Partner TLV: type 2, priority 0xFFFF, system 02:aa:bb:cc:dd:00, key 1, port priority 0x00FF, port 2, state 0x47.
        byte[] partner = [0x02, 0x14, 0xFF, 0xFF, 0x02, 0xAA, 0xBB, 0xCC, 0xDD, 0x00, 0x00, 0x01, 0x00, 0xFF, 0x00, 0x02, 0x47, 0, 0, 0];
        partner.CopyTo(f, 36);
        f[56] = 0x03; f[57] = 0x10; f[58] = 0x00; f[59] = 0x05; // collector: max delay 5
        return f; // terminator (0, 0) and 50 reserved octets stay zero
    }

    private static readonly Lacpdu KnownPdu = new(
        new LacpPortInfo(0x8000, new MacAddress(0x0011_2233_4455), 0x21, 0xFF, 7,
            LacpState.Activity | LacpState.Aggregation | LacpState.Synchronization | LacpState.Collecting | LacpState.Distributing),
        new LacpPortInfo(0xFFFF, new MacAddress(0x02AA_BBCC_DD00), 1, 0xFF, 2,
            LacpState.Activity | LacpState.ShortTimeout | LacpState.Aggregation | LacpState.Defaulted),
        CollectorMaxDelay: 5);

    [Fact]
    public void Encodes_the_standard_layout()
    {
        var frame = new byte[200];
        int length = KnownPdu.Encode(frame, Source);
        Assert.Equal(124, length);
        Assert.Equal(KnownFrame(), frame[..length]);
    }

    [Fact]
    public void Decodes_the_standard_layout()
    {
        Assert.True(Lacpdu.TryDecode(KnownFrame(), out var pdu));
        Assert.Equal(KnownPdu, pdu);
    }

    [Fact]
    public void Rejects_frames_that_are_not_lacpdus()
    {
        var wrongTlv = KnownFrame();
        wrongTlv[17] = 0x13;
        var marker = KnownFrame();
        marker[14] = SlowProtocols.MarkerSubtype;
        var ipv4 = KnownFrame();
        ipv4[12] = 0x08; ipv4[13] = 0x00;
        Assert.False(Lacpdu.TryDecode(wrongTlv, out _));
        Assert.False(Lacpdu.TryDecode(marker, out _));
        Assert.False(Lacpdu.TryDecode(ipv4, out _));
        Assert.False(Lacpdu.TryDecode(KnownFrame()[..100], out _));
    }

    [Fact]
    public void A_marker_information_pdu_becomes_its_response()
    {
        var frame = new byte[124];
        byte[] head = [0x01, 0x80, 0xC2, 0, 0, 0x02, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x88, 0x09, 0x02, 0x01,
            0x01, 0x10, 0x00, 0x03, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0xDE, 0xAD, 0xBE, 0xEF];
        head.CopyTo(frame, 0);
        Assert.True(MarkerPdu.IsInformation(frame));
        MarkerPdu.ToResponse(frame, Source);
        Assert.False(MarkerPdu.IsInformation(frame));
        Assert.Equal(0x02, frame[16]);
        Assert.Equal([0x02, 0, 0, 0, 0, 0x01], frame[6..12]);
        // The requester's port, system and transaction id come back unchanged.
        Assert.Equal(head[18..30], frame[18..30]);
    }
}
