using VirtioForwarder.Platform;
using VirtioForwarder.Ports.Bond;
using VirtioForwarder.Ports.Bond.Lacp;
using static VirtioForwarder.Ports.Tests.Bond.BondTestKit;

namespace VirtioForwarder.Ports.Tests.Bond;

/// <summary>A bond of multi-queue members: bond queue i over member queue i (DPDK's mapping), and offloads passing through.</summary>
public unsafe class BondQueueTests
{
    private static MemoryPort[] Members(int count, int queues, string name, bool carriesOffloads = false, int capacity = PortFactory.DefaultFrameCapacity) =>
        [.. Enumerable.Range(0, count).Select(i => MemoryPort.WithQueues($"{name}-m{i}", queues, carriesOffloads, capacity))];

    private static int[] Numbers(IEnumerable<byte[]> frames) => [.. frames.Select(BondFrames.NumberOf)];

    [Fact]
    public void Bond_queue_i_sends_and_receives_on_queue_i_of_its_members()
    {
        var m = Members(2, 2, "mq");
        using var bond = new BondPort("mq", m, new BondOptions(BondMode.ActiveBackup));
        Assert.Equal(2, bond.Queues.Count);
        Assert.Equal(2, Send(bond.Queues[1], BondFrames.Numbered(1), BondFrames.Numbered(2)));
        Assert.Equal(1, Send(bond.Queues[0], BondFrames.Numbered(3)));
        Assert.Equal([1, 2], Numbers(m[0].Queue(1).Sent));
        Assert.Equal([3], Numbers(m[0].Queue(0).Sent));
        Assert.Empty(m[1].Queue(0).Sent.Concat(m[1].Queue(1).Sent)); // the backup sends nothing

        m[0].Queue(1).Inject(BondFrames.Numbered(10));
        m[0].Queue(0).Inject(BondFrames.Numbered(11));
        Assert.Equal([10], Numbers(ReceiveAll(bond.Queues[1])));
        Assert.Equal([11], Numbers(ReceiveAll(bond.Queues[0])));
        Assert.True(bond.Queues.All(q => q.LinkUp));
    }

    [Fact]
    public void Round_robin_goes_on_per_queue_over_the_members_same_queue()
    {
        var m = Members(2, 2, "rrq");
        using var bond = new BondPort("rrq", m, new BondOptions(BondMode.RoundRobin));
        Send(bond.Queues[0], BondFrames.Numbered(0), BondFrames.Numbered(1));
        Send(bond.Queues[1], BondFrames.Numbered(2), BondFrames.Numbered(3));
        Assert.Equal([0], Numbers(m[0].Queue(0).Sent));
        Assert.Equal([1], Numbers(m[1].Queue(0).Sent));
        Assert.Equal([2], Numbers(m[0].Queue(1).Sent));
        Assert.Equal([3], Numbers(m[1].Queue(1).Sent));
        // Every member receives on every queue.
        m[1].Queue(1).Inject(BondFrames.Numbered(20));
        Assert.Equal([20], Numbers(ReceiveAll(bond.Queues[1])));
    }

    [Fact]
    public void Members_with_more_queues_than_another_give_their_extra_queues_frames_to_the_bonds_queues_in_turn()
    {
        MemoryPort wide = MemoryPort.WithQueues("wide", 4), narrow = MemoryPort.WithQueues("narrow", 2);
        using var bond = new BondPort("mixed", [wide, narrow], new BondOptions(BondMode.RoundRobin));
        Assert.Equal(2, bond.Queues.Count);
        for (int q = 0; q < 4; q++) wide.Queue(q).Inject(BondFrames.Numbered(q));
        Assert.Equal([0, 2], Numbers(ReceiveAll(bond.Queues[0])).Order());
        Assert.Equal([1, 3], Numbers(ReceiveAll(bond.Queues[1])).Order());
    }

    [Fact]
    public void A_bond_queue_counts_the_receive_ring_drops_of_the_member_queues_it_reads_backups_included()
    {
        var m = Members(2, 2, "missed");
        using var bond = new BondPort("missed", m, new BondOptions(BondMode.ActiveBackup));
        m[0].Queue(1).Missed = 3;
        m[1].Queue(1).Missed = 4;
        m[1].Queue(0).Missed = 1;
        Assert.Equal(1, bond.Queues[0].RxMissed);
        Assert.Equal(7, bond.Queues[1].RxMissed);
    }

    [Fact]
    public void A_bond_of_one_queue_members_has_no_queues_of_its_own()
    {
        var (bond, _) = Create(BondMode.RoundRobin);
        using var owned = bond;
        Assert.Empty(bond.Queues);
    }

    [Fact]
    public void Lacp_runs_once_per_member_whichever_queue_its_frames_arrive_on()
    {
        var am = Members(2, 2, "lq-a");
        var bm = Members(2, 2, "lq-b");
        for (int i = 0; i < 2; i++)
        for (int q = 0; q < 2; q++)
            MemoryPort.Connect(am[i].Queue(q), bm[i].Queue(q));
        using var a = new BondPort("lq-a", am, new BondOptions(BondMode.Lacp8023ad, TransmitHashPolicy.Layer34));
        using var b = new BondPort("lq-b", bm, new BondOptions(BondMode.Lacp8023ad, TransmitHashPolicy.Layer34));
        var leaked = new List<byte[]>();
        void Drive()
        {
            foreach (var queue in a.Queues.Concat(b.Queues)) leaked.AddRange(ReceiveAll(queue));
        }
        WaitUntil(() => a.LacpStatus().All(s => s.Distributing) && b.LacpStatus().All(s => s.Distributing), "both bonds distributing", Drive);
        Assert.Empty(leaked);
        // The tick sends LACP on each member's queue 0 only.
        Assert.All(am, member => Assert.DoesNotContain(member.Queue(1).Sent, f => SlowProtocols.Subtype(f) != 0));

        // A Marker arriving on queue 1 is answered once, on the member's link.
        var marker = new byte[SlowProtocols.FrameSize];
        SlowProtocols.WriteHeader(marker, new MacAddress(0x0200_0000_0077));
        marker[14] = SlowProtocols.MarkerSubtype; marker[15] = 1; marker[16] = 1; marker[17] = 16;
        long before = a.MarkerResponses;
        am[1].Queue(1).Inject(marker);
        Assert.Empty(ReceiveAll(a.Queues[1]));
        WaitUntil(() => a.MarkerResponses == before + 1, "the marker response", Drive);
        Thread.Sleep(50);
        Assert.Equal(before + 1, a.MarkerResponses);
    }

    [Fact]
    public void A_bond_whose_members_all_carry_offloads_passes_offload_state_and_gso_sized_frames_both_ways()
    {
        var m = Members(2, 2, "off", carriesOffloads: true, capacity: VirtioNetHeader.MaxGsoFrame);
        using var bond = new BondPort("off", m, new BondOptions(BondMode.ActiveBackup));
        Assert.True(bond.CarriesOffloads);
        Assert.All(bond.Queues, q => Assert.True(q.CarriesOffloads));
        var gso = new VirtioNetHeader { Flags = VirtioNetHeader.NeedsChecksum, GsoType = VirtioNetHeader.GsoTcpV4, HeaderLength = 54, GsoSize = 1448, ChecksumStart = 34, ChecksumOffset = 16 };
        var queue = bond.Queues[1];
        var batch = new Frame[1];
        Assert.Equal(1, queue.AcquireTx(batch));
        Assert.True(batch[0].Capacity >= VirtioNetHeader.MaxGsoFrame);
        new Span<byte>(batch[0].Data, 60000).Fill(7);
        batch[0].Length = 60000;
        batch[0].Offload = gso;
        Assert.Equal(1, queue.Transmit(batch, 1));
        Assert.Equal(60000, Assert.Single(m[0].Queue(1).Sent).Length);
        Assert.Equal(gso, Assert.Single(m[0].Queue(1).SentOffloads));
        Assert.Equal(0, queue.TxOversize);

        m[0].Queue(1).Inject(new byte[60000], gso);
        var received = new Frame[4];
        Assert.Equal(1, queue.Receive(received));
        Assert.Equal(gso, received[0].Offload);
        Assert.Equal(60000, received[0].Length);
    }

    [Fact]
    public void A_bond_with_a_member_lacking_offloads_carries_none_and_refuses_frames_longer_than_its_buffers()
    {
        var full = MemoryPort.WithQueues("full", 1, carriesOffloads: true);
        var plain = MemoryPort.WithQueues("plain", 1);
        using var bond = new BondPort("mixed-off", [full, plain], new BondOptions(BondMode.ActiveBackup));
        Assert.False(bond.CarriesOffloads);
        var batch = new Frame[2];
        Assert.Equal(2, bond.AcquireTx(batch));
        Assert.Equal(PortFactory.DefaultFrameCapacity, batch[0].Capacity);

        // A frame longer than the members take is refused as IPort.TxOversize says: counted, its length set to 0.
        using var small = new BondPort("small", [new MemoryPort("s0", capacity: 1000), new MemoryPort("s1", capacity: 1000)], new BondOptions(BondMode.ActiveBackup));
        Assert.Equal(2, small.AcquireTx(batch));
        batch[0].Length = 1500;
        batch[1].Length = 100;
        Assert.Equal(1, small.Transmit(batch, 2));
        Assert.Equal(1, small.TxOversize);
        Assert.Equal(0, batch[0].Length);
        Assert.Equal(100, batch[1].Length);
    }
}
