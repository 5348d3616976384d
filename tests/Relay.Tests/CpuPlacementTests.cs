using VirtioForwarder.Relay;

namespace VirtioForwarder.Relay.Tests;

public sealed class CpuPlacementTests
{
    // CPUs 0-1 on node 0, 2-3 on node 1.
    private static readonly NumaTopology TwoNodes = new(new Dictionary<int, int> { [0] = 0, [1] = 0, [2] = 1, [3] = 1 });

    private static CpuPlacement Placement(params int[] cpus) => new(cpus, NumaTopology.Unknown);

    [Fact]
    public void A_pin_wins_over_load()
    {
        var p = Placement(1, 2);
        Assert.Equal(2, p.Choose(Direction.VfToVm, pinned: 2));
        Assert.Equal(2, p.Choose(Direction.VmToVf, pinned: 2));
        Assert.Equal(22, p.LoadOf(2));
    }

    [Fact]
    public void Unpinned_directions_go_to_the_least_loaded_cpu_lowest_first()
    {
        var p = Placement(1, 2, 3);
        Assert.Equal(1, p.Choose(Direction.VfToVm, null)); // 1:12
        Assert.Equal(2, p.Choose(Direction.VmToVf, null)); // 2:10
        Assert.Equal(3, p.Choose(Direction.VfToVm, null)); // 3:12
        Assert.Equal(2, p.Choose(Direction.VmToVf, null)); // 2 has 10 < 12
        Assert.Equal(1, p.Choose(Direction.VfToVm, null)); // 1:12, 2:20, 3:12 -> 1
    }

    [Fact]
    public void More_directions_than_cpus_share_the_cpus_by_weight()
    {
        var p = Placement(0, 1);
        for (int relay = 0; relay < 64; relay++)
        {
            p.Choose(Direction.VfToVm, null);
            p.Choose(Direction.VmToVf, null);
        }
        // 64 × (12 + 10) = 1408 points, split evenly.
        Assert.Equal(704, p.LoadOf(0));
        Assert.Equal(704, p.LoadOf(1));
    }

    [Fact]
    public void Released_load_is_available_again()
    {
        var p = Placement(1, 2);
        int a = p.Choose(Direction.VfToVm, null);
        p.Choose(Direction.VmToVf, null);
        p.Release(Direction.VfToVm, a);
        Assert.Equal(0, p.LoadOf(a));
        Assert.Equal(a, p.Choose(Direction.VmToVf, null));
    }

    [Fact]
    public void A_known_node_keeps_the_direction_on_that_nodes_cpus_even_when_busier()
    {
        var p = new CpuPlacement([0, 1, 2, 3], TwoNodes);
        Assert.Equal(2, p.Choose(Direction.VfToVm, null, numaNode: 1));
        Assert.Equal(3, p.Choose(Direction.VfToVm, null, numaNode: 1));
        Assert.Equal(2, p.Choose(Direction.VmToVf, null, numaNode: 1)); // 2:22, although 0 and 1 are idle
        Assert.Equal(0, p.Choose(Direction.VmToVf, null, numaNode: -1));
    }

    [Fact]
    public void A_node_without_worker_cpus_falls_back_to_all_cpus()
    {
        var p = new CpuPlacement([0, 1], TwoNodes);
        Assert.Equal(0, p.Choose(Direction.VfToVm, null, numaNode: 1));
        Assert.Equal(1, p.Choose(Direction.VfToVm, null, numaNode: 5));
    }

    [Fact]
    public void A_move_carries_the_load_along()
    {
        var p = Placement(0, 1);
        int cpu = p.Choose(Direction.VfToVm, null);
        p.Move(Direction.VfToVm, cpu, 1 - cpu);
        Assert.Equal(0, p.LoadOf(cpu));
        Assert.Equal(CpuPlacement.VfToVmWeight, p.LoadOf(1 - cpu));
    }

    [Fact]
    public void Sysfs_cpulists_parse_with_ranges()
    {
        Assert.Equal([0, 1, 2, 3, 8, 10, 11], NumaTopology.ParseCpuList("0-3,8,10-11\n"));
        Assert.Empty(NumaTopology.ParseCpuList("\n"));
    }

    [Fact]
    public void The_topology_is_read_from_node_folders()
    {
        string root = Directory.CreateTempSubdirectory("vfwd-numa-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "node0"));
            Directory.CreateDirectory(Path.Combine(root, "node1"));
            File.WriteAllText(Path.Combine(root, "node0", "cpulist"), "0-1\n");
            File.WriteAllText(Path.Combine(root, "node1", "cpulist"), "2,3\n");
            var t = NumaTopology.Read(root);
            Assert.Equal(0, t.NodeOf(1));
            Assert.Equal(1, t.NodeOf(3));
            Assert.Equal(-1, t.NodeOf(4));
        }
        finally { Directory.Delete(root, recursive: true); }
    }
}
