using VirtioForwarder.Ports.Bond;
using VirtioForwarder.Ports.Bond.Lacp;
using static VirtioForwarder.Ports.Tests.Bond.BondTestKit;

namespace VirtioForwarder.Ports.Tests.Bond;

/// <summary>Two 802.3ad bonds cabled back to back in memory, each driven as a relay drives its port, with the real tick.</summary>
public class LacpBondTests
{
    private static bool AllDistributing(BondPort bond) => bond.LacpStatus().All(s => s.Distributing);

    [Fact]
    public void Back_to_back_bonds_negotiate_then_carry_data_on_both_links_and_keep_lacp_from_the_vm()
    {
        var (a, am) = Create(BondMode.Lacp8023ad, name: "lacp-a", policy: TransmitHashPolicy.Layer34);
        var (b, bm) = Create(BondMode.Lacp8023ad, name: "lacp-b", policy: TransmitHashPolicy.Layer34);
        using var _a = a;
        using var _b = b;
        MemoryPort.Connect(am[0], bm[0]);
        MemoryPort.Connect(am[1], bm[1]);
        var leaked = new List<byte[]>();
        void Drive()
        {
            leaked.AddRange(ReceiveAll(a));
            leaked.AddRange(ReceiveAll(b));
        }
        Assert.False(a.LinkUp);
        WaitUntil(() => AllDistributing(a) && AllDistributing(b) && a.LinkUp && b.LinkUp, "both bonds distributing on both links", Drive);
        Assert.Empty(leaked); // only LACPDUs so far, and none went up
        Assert.True(a.LacpduReceived > 0 && a.LacpduSent > 0);
        Assert.All(a.LacpStatus(), s => Assert.Equal(b.LacpStatus()[0].Actor.System, s.Partner.System));

        byte[] x = [2, 0, 0, 0, 0, 1], y = [2, 0, 0, 0, 0, 2];
        var flows = Enumerable.Range(0, 32).Select(i => BondFrames.Udp(y, x, 0xC6120001, 0xC6120002, (ushort)(4000 + i), 53)).ToArray();
        Assert.Equal(32, Send(a, flows));
        var arrived = new List<byte[]>();
        WaitUntil(() => { arrived.AddRange(ReceiveAll(b)); return arrived.Count >= 32; }, "32 frames at the far bond");
        Assert.All(arrived, f => Assert.Equal(0, SlowProtocols.Subtype(f)));
        Assert.Contains(am[0].Sent, f => SlowProtocols.Subtype(f) == 0);
        Assert.Contains(am[1].Sent, f => SlowProtocols.Subtype(f) == 0);
    }

    [Fact]
    public void A_lacp_bond_without_a_partner_carries_nothing_and_drops_data_it_receives()
    {
        var (bond, m) = Create(BondMode.Lacp8023ad, name: "lacp-alone");
        using var owned = bond;
        WaitUntil(() => m[0].Sent.Any(f => Lacpdu.TryDecode(f, out _)), "a LACPDU on member 0");
        m[0].Inject(BondFrames.Numbered(1));
        Assert.Empty(ReceiveAll(bond));
        Assert.Equal(1, bond.RxNotCollectingDrops);
        Assert.False(bond.LinkUp);
        Assert.Equal(0, Send(bond, BondFrames.Numbered(2)));
    }

    [Fact]
    public void A_marker_information_pdu_is_answered_on_its_link_and_not_passed_up()
    {
        var (bond, m) = Create(BondMode.Lacp8023ad, name: "lacp-marker");
        using var owned = bond;
        var marker = new byte[SlowProtocols.FrameSize];
        SlowProtocols.WriteHeader(marker, new MacAddress(0x0200_0000_0077));
        marker[14] = SlowProtocols.MarkerSubtype; marker[15] = 1; marker[16] = 1; marker[17] = 16;
        marker[26] = 0x42; // transaction id
        m[1].Inject(marker);
        Assert.Empty(ReceiveAll(bond));
        WaitUntil(() => m[1].Sent.Any(f => SlowProtocols.Subtype(f) == SlowProtocols.MarkerSubtype), "the marker response");
        var response = m[1].Sent.First(f => SlowProtocols.Subtype(f) == SlowProtocols.MarkerSubtype);
        Assert.Equal(2, response[16]);
        Assert.Equal(0x42, response[26]);
        Assert.Equal(1, bond.MarkerResponses);
    }
}
