using VirtioForwarder.Cli.Scheduling;
using VirtioForwarder.Control.Protobuf;
using RelayCPU = VirtioForwarder.Control.Protobuf.CoreSchedRequest.Types.RelayCPU;

namespace VirtioForwarder.Cli.Tests;

public sealed class SchedulingTests
{
    private static RelayCPU Map(int relay, int virtio2vf, int vf2virtio) =>
        new() { RelayNumber = relay, Virtio2VfCpu = virtio2vf, Vf2VirtioCpu = vf2virtio };

    [Fact]
    public void Load_is_upstreams_linear_model_of_the_eight_rates()
    {
        var relay = TestRelays.Active(0, 1, 1);
        relay.VmToVf.PktRateRxFromVm = 1e6f;
        relay.VmToVf.PktRateTxToVf = 1e6f;
        relay.VmToVf.ByteRateRxFromVm = 1e9f;
        relay.VmToVf.ByteRateTxToVf = 1e9f;
        relay.VfToVm.PktRateRxFromVf = 2e6f;
        relay.VfToVm.PktRateTxToVm = 2e6f;

        var load = RelayLoad.Estimate(relay);

        Assert.Equal(8.2e-02 * 1 + 9.3e-05 * 1000, load.VmToVf, 9);
        Assert.Equal(7.95e-02 * 2, load.VfToVm, 9);
    }

    [Fact]
    public void Greedy_puts_the_heaviest_directions_on_the_least_loaded_workers()
    {
        var loads = new[] { new RelayLoad(0, 0.5, 0.4), new RelayLoad(1, 0.3, 0.1) };

        var (mappings, cov) = LoadBalancer.Assign(loads, [1, 2]);

        // 0.5 → 1, 0.4 → 2, 0.3 → 2 (0.4 < 0.5), 0.1 → 1 (0.5 < 0.7): loads 0.6 and 0.7.
        Assert.Equal([Map(0, 1, 2), Map(1, 2, 1)], mappings);
        Assert.Equal(Math.Sqrt(0.0025) / 0.65, cov, 9);
    }

    [Fact]
    public void Ties_go_to_the_first_worker()
    {
        var (mappings, cov) = LoadBalancer.Assign([new RelayLoad(7, 0, 0)], [4, 3]);
        Assert.Equal([Map(7, 4, 4)], mappings);
        Assert.Equal(LoadBalancer.NoLoad, cov);
    }

    [Fact]
    public void A_loaded_relay_sharing_a_core_is_moved_when_the_gain_exceeds_the_sensitivity()
    {
        var loads = new[] { new RelayLoad(0, 0.5, 0.5), new RelayLoad(1, 0, 0) };
        var current = new[] { Map(0, 1, 1), Map(1, 1, 1) };

        var (mappings, newCoV) = LoadBalancer.Assign(loads, [1, 2]);
        double currentCoV = LoadBalancer.CurrentCoV(current, loads, [1, 2]);

        Assert.Equal(0, newCoV, 9);
        Assert.Equal(1, currentCoV, 9);
        Assert.True(LoadBalancer.WorthMoving(newCoV, currentCoV, 0.25));
        Assert.False(LoadBalancer.WorthMoving(newCoV, currentCoV, 1.0));
        Assert.Equal(Map(0, 1, 2), mappings[0]);
    }

    [Fact]
    public void Nothing_moves_without_load_and_a_mapping_off_the_workers_counts_as_worst()
    {
        Assert.False(LoadBalancer.WorthMoving(LoadBalancer.NoLoad, 5, 0));
        Assert.Equal(LoadBalancer.Unknown, LoadBalancer.CurrentCoV([Map(0, 9, 1)], [new RelayLoad(0, 1, 1)], [1, 2]));
    }

    [Fact]
    public void Relays_are_grouped_by_numa_node_and_unknown_nodes_are_skipped()
    {
        var nodes = new Dictionary<int, IReadOnlySet<uint>>
        {
            [0] = new HashSet<uint> { 0, 1, 2 },
            [1] = new HashSet<uint> { 3, 4, 5 },
            [2] = new HashSet<uint> { 6 },
        };
        var skipped = new List<uint>();
        RelayState[] relays = [TestRelays.Active(0, 1, 2, socketId: 0), TestRelays.Active(1, 4, 4, socketId: 1), TestRelays.Active(2, 1, 1, socketId: 4294967295), TestRelays.Active(3, 5, 5, socketId: 1)];

        var groups = BalanceGroup.Build(relays, nodes, [5, 1, 2, 4], global: false, relay => skipped.Add(relay.Id));

        Assert.Equal([2u], skipped);
        Assert.Equal(2, groups.Count);
        Assert.Equal((0, "1,2", "0"), Describe(groups[0]));
        Assert.Equal((1, "4,5", "1,3"), Describe(groups[1]));
        Assert.Equal([Map(1, 4, 4), Map(3, 5, 5)], groups[1].Current);
    }

    private static (int Node, string Workers, string Relays) Describe(BalanceGroup group) =>
        (group.Node, string.Join(",", group.Workers), string.Join(",", group.Loads.Select(load => load.Relay)));

    [Fact]
    public void Global_optimisation_balances_every_known_relay_over_every_worker()
    {
        var nodes = new Dictionary<int, IReadOnlySet<uint>> { [0] = new HashSet<uint> { 1 }, [1] = new HashSet<uint> { 2 } };

        var groups = BalanceGroup.Build([TestRelays.Active(0, 1, 1, 0), TestRelays.Active(1, 2, 2, 1), TestRelays.Active(2, 1, 1, 7)], nodes, [2, 1], global: true, _ => { });

        var group = Assert.Single(groups);
        Assert.Equal(BalanceGroup.AllNodes, group.Node);
        Assert.Equal([1u, 2u], group.Workers);
        Assert.Equal([0u, 1u], group.Loads.Select(l => l.Relay));
    }

    [Theory]
    [InlineData("0-3\n", new uint[] { 0, 1, 2, 3 })]
    [InlineData("0,2-3,8\n", new uint[] { 0, 2, 3, 8 })]
    [InlineData("\n", new uint[0])]
    public void Kernel_cpu_lists_parse(string text, uint[] cpus) =>
        Assert.Equal(cpus, NumaTopology.ParseCpuList(text));

    [Fact]
    public void This_machines_nodes_cover_its_online_cpus()
    {
        var nodes = NumaTopology.Read();
        Assert.NotEmpty(nodes);
        Assert.Contains(0u, nodes.Values.SelectMany(cpus => cpus));
    }

    [Fact]
    public void Monitor_bars_scale_to_upstreams_full_load()
    {
        var relay = TestRelays.Active(0, vfToVm: 1, vmToVf: 2);
        relay.VfToVm.PktRateRxFromVf = 15e6f;
        relay.VfToVm.PktRateTxToVm = 15e6f;
        relay.VfToVm.ByteRateRxFromVf = 50e3f / 8 * 1e6f;
        relay.VfToVm.ByteRateTxToVm = 50e3f / 8 * 1e6f;

        string screen = MonitorCommand.Render([relay], [1, 2]);

        // Full VF→VM alone is 7.95e-2·15 + 8.2e-5·6250 = 1.705 of the 3.516 full scale: 29 of 60.
        Assert.Equal("CPU loads\nCPU1: " + new string('-', 29) + "\nCPU2: \n", screen);
    }
}
