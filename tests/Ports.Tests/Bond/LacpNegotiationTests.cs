using VirtioForwarder.Ports.Bond.Lacp;

namespace VirtioForwarder.Ports.Tests.Bond;

/// <summary>Two LACP actors in memory, each link's LACPDUs carried as encoded frames, on a simulated clock.</summary>
public class LacpNegotiationTests
{
    private static readonly long Step = LacpTimes.Seconds(0.1);

    private sealed class Wire(LacpGroup a, LacpGroup b)
    {
        public long Now = LacpTimes.Seconds(100);
        public bool AToB = true, BToA = true;
        public bool[] Up = [true, true];

        /// <summary>Runs both sides for <paramref name="seconds"/> of simulated time, delivering each PDU through encode/decode.</summary>
        public void Run(double seconds)
        {
            for (long end = Now + LacpTimes.Seconds(seconds); Now < end; Now += Step)
            {
                a.Run(Now, Up);
                b.Run(Now, Up);
                for (int i = 0; i < Up.Length; i++)
                {
                    Carry(a.Ports[i], b.Ports[i], AToB && Up[i]);
                    Carry(b.Ports[i], a.Ports[i], BToA && Up[i]);
                }
            }
        }

        private void Carry(LacpPort from, LacpPort to, bool delivered)
        {
            if (!from.TryTakeTransmit(Now, out var pdu) || !delivered) return;
            var frame = new byte[SlowProtocols.FrameSize];
            pdu.Encode(frame, from.Actor.System);
            Assert.True(Lacpdu.TryDecode(frame, out var received));
            to.Receive(received, Now);
        }
    }

    private static (LacpGroup A, LacpGroup B, Wire Wire) Pair(bool aActive = true, bool bActive = true)
    {
        var a = new LacpGroup(new MacAddress(0x0200_0000_0A00), 2, active: aActive);
        var b = new LacpGroup(new MacAddress(0x0200_0000_0B00), 2, active: bActive);
        return (a, b, new Wire(a, b));
    }

    private static void AssertDistributing(LacpGroup group)
    {
        foreach (var p in group.Ports)
        {
            Assert.Equal(LacpReceiveState.Current, p.ReceiveState);
            Assert.Equal(LacpMuxState.Distributing, p.MuxState);
            Assert.True(p.Collecting && p.Distributing);
            Assert.True(p.Partner.Has(LacpState.Synchronization | LacpState.Collecting | LacpState.Distributing));
        }
    }

    [Fact]
    public void Two_active_actors_reach_collecting_and_distributing_on_every_link()
    {
        var (a, b, wire) = Pair();
        wire.Run(1);
        Assert.All(a.Ports, p => Assert.Equal(LacpMuxState.Waiting, p.MuxState)); // aggregate wait: 2 s
        wire.Run(4);
        AssertDistributing(a);
        AssertDistributing(b);
        Assert.Equal(b.System, a.Ports[0].Partner.System);
        Assert.Equal(2, a.Ports[1].Partner.Port);
    }

    [Fact]
    public void An_active_actor_negotiates_with_a_passive_one_but_two_passive_ones_stay_silent()
    {
        var (a, b, wire) = Pair(bActive: false);
        wire.Run(5);
        AssertDistributing(a);
        AssertDistributing(b);

        var (c, d, silent) = Pair(aActive: false, bActive: false);
        silent.Run(7); // expired after 3 s, defaulted 3 s later
        Assert.All(c.Ports.Concat(d.Ports), p => Assert.False(p.TryTakeTransmit(silent.Now, out _)));
        Assert.All(c.Ports, p => Assert.Equal(LacpReceiveState.Defaulted, p.ReceiveState));
    }

    [Fact]
    public void Silence_from_the_partner_expires_then_defaults_and_stops_the_link()
    {
        var (a, _, wire) = Pair();
        wire.Run(5);
        wire.BToA = false;
        wire.Run(3.5); // short timeout: 3 s without a LACPDU
        Assert.All(a.Ports, p =>
        {
            Assert.Equal(LacpReceiveState.Expired, p.ReceiveState);
            Assert.True(p.Actor.Has(LacpState.Expired));
            Assert.False(p.Partner.Has(LacpState.Synchronization));
            Assert.False(p.Collecting || p.Distributing);
        });
        wire.Run(3.5); // and 3 s more in EXPIRED
        Assert.All(a.Ports, p =>
        {
            Assert.Equal(LacpReceiveState.Defaulted, p.ReceiveState);
            Assert.True(p.Actor.Has(LacpState.Defaulted));
            Assert.False(p.Actor.Has(LacpState.Expired));
            Assert.Equal(default, p.Partner.System);
            Assert.Equal(LacpMuxState.Detached, p.MuxState);
        });

        wire.BToA = true;
        wire.Run(5);
        AssertDistributing(a);
    }

    [Fact]
    public void A_link_down_leaves_the_aggregation_and_rejoins_when_up()
    {
        var (a, b, wire) = Pair();
        wire.Run(5);
        wire.Up[1] = false;
        wire.Run(0.5);
        Assert.Equal(LacpReceiveState.PortDisabled, a.Ports[1].ReceiveState);
        Assert.False(a.Ports[1].Distributing);
        Assert.True(a.Ports[0].Distributing);
        wire.Up[1] = true;
        wire.Run(5);
        AssertDistributing(a);
        AssertDistributing(b);
    }

    [Fact]
    public void A_link_whose_partner_changes_leaves_the_aggregator_that_the_other_link_holds()
    {
        var (a, _, wire) = Pair();
        wire.Run(5);
        // Link 0 now hears from another system (a cabling change): it must stop carrying traffic.
        var stranger = new LacpPort(new LacpActorConfig(new MacAddress(0x0200_0000_0C00), 1));
        for (int i = 0; i < 30; i++, wire.Now += Step)
        {
            stranger.Run(wire.Now, true);
            a.Run(wire.Now, wire.Up);
            if (stranger.TryTakeTransmit(wire.Now, out var pdu)) a.Ports[0].Receive(pdu, wire.Now);
            // Link 1 keeps hearing what B last told it.
            a.Ports[1].Receive(new Lacpdu(a.Ports[1].Partner, a.Ports[1].Actor), wire.Now);
        }
        Assert.Equal(stranger.Actor.System, a.Ports[0].Partner.System);
        Assert.Equal(LacpSelection.Unselected, a.Ports[0].Selected);
        Assert.Equal(LacpMuxState.Detached, a.Ports[0].MuxState);
        Assert.True(a.Ports[1].Distributing);
    }
}
