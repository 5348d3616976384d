using VirtioForwarder.Ports.Bond;
using static VirtioForwarder.Ports.Tests.Bond.BondTestKit;

namespace VirtioForwarder.Ports.Tests.Bond;

/// <summary>Two 802.3ad bonds of ours back to back over AF_PACKET ports, cabled through a test namespace.</summary>
public sealed class LacpVethTests
{
    [Fact]
    public void Back_to_back_lacp_bonds_negotiate_and_carry_traffic_on_both_links()
    {
        using var lab = new BondVethLab();
        var (a1, x1) = lab.AddPair();
        var (b1, y1) = lab.AddPair();
        var (a2, x2) = lab.AddPair();
        var (b2, y2) = lab.AddPair();
        lab.Cable(x1, y1);
        lab.Cable(x2, y2);
        var options = new BondOptions(BondMode.Lacp8023ad, TransmitHashPolicy.Layer34);
        using var bondA = new BondPort("lacp-veth-a", [BondVethLab.Open(a1), BondVethLab.Open(a2)], options);
        using var bondB = new BondPort("lacp-veth-b", [BondVethLab.Open(b1), BondVethLab.Open(b2)], options);
        var upToVm = new List<byte[]>();
        WaitUntil(() => bondA.LacpStatus().All(s => s.Distributing) && bondB.LacpStatus().All(s => s.Distributing),
            "both bonds distributing on both links", () =>
            {
                upToVm.AddRange(ReceiveAll(bondA));
                upToVm.AddRange(ReceiveAll(bondB));
            });
        Assert.DoesNotContain(upToVm, f => f.Length >= 14 && f[12] == 0x88 && f[13] == 0x09);

        long tx1 = BondVethLab.Counter(a1, "tx_packets"), tx2 = BondVethLab.Counter(a2, "tx_packets");
        byte[] x = [2, 0, 0, 0, 0, 1], y = [2, 0, 0, 0, 0, 2];
        var flows = Enumerable.Range(0, 32).Select(i => BondFrames.Udp(y, x, 0xC6120001, 0xC6120002, (ushort)(5000 + i), 53)).ToArray();
        Assert.Equal(32, Send(bondA, flows));
        var arrived = new List<byte[]>();
        WaitUntil(() => { arrived.AddRange(ReceiveAll(bondB).Where(f => f[12] == 0x08)); return arrived.Count >= 32; }, "the 32 frames at bond B");
        // Each link carried data (LACPDUs alone are a few per second).
        Assert.True(BondVethLab.Counter(a1, "tx_packets") - tx1 >= 5, "link 1 carried data");
        Assert.True(BondVethLab.Counter(a2, "tx_packets") - tx2 >= 5, "link 2 carried data");
    }
}
