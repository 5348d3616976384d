using VirtioForwarder.Ports.Bond;
using static VirtioForwarder.Ports.Tests.Bond.BondTestKit;

namespace VirtioForwarder.Ports.Tests.Bond;

public class BondModeTests
{
    private static byte[][] Numbered(int from, int count) => [.. Enumerable.Range(from, count).Select(BondFrames.Numbered)];

    private static int[] NumbersSent(MemoryPort member) => [.. member.Sent.Select(BondFrames.NumberOf)];

    [Fact]
    public void Round_robin_sends_each_frame_on_the_next_member_and_carries_on_across_batches()
    {
        var (bond, m) = Create(BondMode.RoundRobin, members: 3);
        using var owned = bond;
        Assert.Equal(4, Send(bond, Numbered(0, 4)));
        Assert.Equal(2, Send(bond, Numbered(4, 2)));
        Assert.Equal([0, 3], NumbersSent(m[0]));
        Assert.Equal([1, 4], NumbersSent(m[1]));
        Assert.Equal([2, 5], NumbersSent(m[2]));
    }

    [Fact]
    public void Broadcast_sends_every_frame_on_every_member()
    {
        var (bond, m) = Create(BondMode.Broadcast);
        using var owned = bond;
        Assert.Equal(3, Send(bond, Numbered(0, 3)));
        Assert.All(m, member => Assert.Equal([0, 1, 2], NumbersSent(member)));
    }

    [Fact]
    public void Balance_xor_keeps_a_flow_on_one_member_and_spreads_flows()
    {
        var (bond, m) = Create(BondMode.BalanceXor, policy: TransmitHashPolicy.Layer34);
        using var owned = bond;
        byte[] a = [2, 0, 0, 0, 0, 1], b = [2, 0, 0, 0, 0, 2];
        var flows = Enumerable.Range(0, 16).Select(i => BondFrames.Udp(a, b, 0xC6120001, 0xC6120002, (ushort)(1000 + i), 53)).ToArray();
        Send(bond, flows);
        Send(bond, flows);
        Assert.Equal(32, m[0].Sent.Count + m[1].Sent.Count);
        Assert.NotEmpty(m[0].Sent);
        Assert.NotEmpty(m[1].Sent);
        // Each flow's two copies left on the same member.
        Assert.All(m, member => Assert.All(member.Sent.GroupBy(f => f[35]), g => Assert.Equal(2, g.Count())));
    }

    [Fact]
    public void Active_backup_fails_over_to_the_next_member_up_and_back_to_the_primary()
    {
        var (bond, m) = Create(BondMode.ActiveBackup, members: 3);
        using var owned = bond;
        Send(bond, Numbered(0, 2));
        Assert.Equal([0, 1], NumbersSent(m[0]));
        m[1].Inject(BondFrames.Numbered(100));
        m[0].Inject(BondFrames.Numbered(101));
        Assert.Equal([101], ReceiveAll(bond).Select(BondFrames.NumberOf)); // only from the active member

        m[0].Up = false;
        WaitUntil(() => bond.TransmittingMembers.SequenceEqual([1]), "failover to member 1");
        Send(bond, Numbered(2, 2));
        Assert.Equal([2, 3], NumbersSent(m[1]));
        Assert.Equal([100], ReceiveAll(bond).Select(BondFrames.NumberOf));

        m[1].Up = false;
        WaitUntil(() => bond.TransmittingMembers.SequenceEqual([2]), "failover to member 2");
        m[0].Up = true;
        WaitUntil(() => bond.TransmittingMembers.SequenceEqual([0]), "the primary taking back");
        Assert.True(bond.LinkUp);
    }

    [Fact]
    public void With_every_member_down_the_bond_is_down_and_counts_its_drops()
    {
        var (bond, m) = Create(BondMode.RoundRobin);
        using var owned = bond;
        foreach (var member in m) member.Up = false;
        WaitUntil(() => !bond.LinkUp, "the bond's link going down");
        Assert.Equal(0, Send(bond, Numbered(0, 5)));
        Assert.Equal(5, bond.TxNoMemberDrops);
    }

    [Fact]
    public void Tlb_spreads_traffic_by_load_and_receives_on_the_active_member_only()
    {
        var (bond, m) = Create(BondMode.Tlb);
        using var owned = bond;
        // A steady trickle: each tick's reordering puts the member that sent less first.
        WaitUntil(() =>
        {
            Assert.Equal(4, Send(bond, Numbered(0, 4)));
            return m[0].Sent.Count > 0 && m[1].Sent.Count > 0;
        }, "traffic on both members");
        Assert.Equal([0], bond.ReceivingMembers);
    }

    [Fact]
    public void Alb_keeps_each_arp_client_on_one_member_and_spreads_clients()
    {
        var (bond, m) = Create(BondMode.Alb);
        using var owned = bond;
        Send(bond, AlbArpReplyTo(1), AlbArpReplyTo(2), AlbArpReplyTo(1), AlbArpReplyTo(2));
        Assert.All(m, member =>
        {
            Assert.Equal(2, member.Sent.Count);
            Assert.Single(member.Sent.Select(f => f[41]).Distinct());
        });
        Assert.Equal([0, 1], bond.ReceivingMembers);
    }

    [Fact]
    public void Alb_replies_carry_their_members_address_and_frames_to_it_reach_the_vm_under_its_own()
    {
        var (bond, m) = Create(BondMode.Alb);
        using var owned = bond;
        Send(bond, AlbArpReplyTo(1), AlbArpReplyTo(2));
        // The primary advertises the VM's address; the other member its own, in the Ethernet source and the ARP sender.
        byte[] primary = Assert.Single(m[0].Sent), other = Assert.Single(m[1].Sent);
        Assert.Equal(AlbGuestMac, primary[6..12]);
        Assert.Equal(AlbGuestMac, primary[22..28]);
        byte[] memberMac = other[6..12];
        Assert.NotEqual(AlbGuestMac, memberMac);
        Assert.Equal(memberMac, other[22..28]);

        // The client answers to the member's address; the VM gets the frame addressed to itself.
        m[1].Inject(BondFrames.Ethernet(memberMac, [2, 0, 0, 0, 0, 2], 0x0800, 60));
        m[1].Inject(BondFrames.Ethernet([2, 0, 0, 0, 0, 9], [2, 0, 0, 0, 0, 2], 0x0800, 60));
        var got = ReceiveAll(bond);
        Assert.Equal(2, got.Count);
        Assert.Equal(AlbGuestMac, got[0][..6]);
        Assert.Equal([2, 0, 0, 0, 0, 9], got[1][..6]);
    }

    private static readonly byte[] AlbGuestMac = [2, 0, 0, 0, 0, 0xAA];

    /// <summary>The VM's ARP reply to client 198.18.0.<paramref name="client"/>.</summary>
    private static byte[] AlbArpReplyTo(byte client)
    {
        var f = BondFrames.Ethernet([2, 0, 0, 0, 0, client], AlbGuestMac, 0x0806, 60);
        f[21] = 2; // operation: reply
        AlbGuestMac.CopyTo(f, 22); // sender hardware address
        f[38] = 198; f[39] = 18; f[40] = 0; f[41] = client; // target IP
        return f;
    }

    [Fact]
    public void Receive_takes_from_every_member_starting_with_the_next_each_call()
    {
        var (bond, m) = Create(BondMode.RoundRobin);
        using var owned = bond;
        for (int i = 0; i < 4; i++)
        {
            m[0].Inject(BondFrames.Numbered(i));
            m[1].Inject(BondFrames.Numbered(10 + i));
        }
        var batch = new VirtioForwarder.Platform.Frame[3];
        int first = bond.Receive(batch);
        var firstNumbers = Enumerable.Range(0, first).Select(i => BondFrames.NumberOf(batch[i].Bytes.ToArray())).ToArray();
        int second = bond.Receive(batch);
        var secondNumbers = Enumerable.Range(0, second).Select(i => BondFrames.NumberOf(batch[i].Bytes.ToArray())).ToArray();
        Assert.Equal([0, 1, 2], firstNumbers);   // member 0 first, filling the batch
        Assert.Equal([10, 11, 12], secondNumbers); // then member 1 first
    }

    [Fact]
    public void The_bond_closes_its_members_and_rejects_fewer_than_two()
    {
        var (bond, m) = Create(BondMode.ActiveBackup);
        bond.Dispose();
        Assert.All(m, member => Assert.True(member.Disposed));
        using var lone = new MemoryPort("lone");
        Assert.Throws<ArgumentException>(() => new BondPort("b", [lone], new BondOptions()));
    }

    [Fact]
    public void The_bond_is_on_the_numa_node_of_its_first_member_that_knows_one()
    {
        using var bond = new BondPort("numa", [new MemoryPort("a"), new MemoryPort("b") { NumaNode = 1 }, new MemoryPort("c") { NumaNode = 0 }], new BondOptions());
        Assert.Equal(1, bond.NumaNode);
        using var unknown = new BondPort("unknown", [new MemoryPort("d"), new MemoryPort("e")], new BondOptions());
        Assert.Equal(-1, unknown.NumaNode);
    }
}
