namespace VirtioForwarder.Relay;

/// <summary>Which worker CPU serves each relay direction (contract §10.5).</summary>
public enum Direction { VfToVm, VmToVf }

/// <summary>
/// Upstream's placement rule (contract §10.5): a relay's -c pin if it has one; otherwise the
/// least-loaded worker CPU, a VF→VM direction weighing 12 and a VM→VF direction 10 (VF→VM does
/// the flow hashing), among the CPUs of the relay's NUMA node when that node is known and has
/// worker CPUs. Ties go to the lowest CPU number. Safe from any thread.
/// </summary>
public sealed class CpuPlacement
{
    public const int VfToVmWeight = 12, VmToVfWeight = 10;

    private readonly SortedDictionary<int, int> _load = new();
    private readonly Lock _gate = new();

    public CpuPlacement(IReadOnlyList<int> workerCpus, NumaTopology topology)
    {
        foreach (int cpu in workerCpus) _load[cpu] = 0;
        WorkerCpus = [.. _load.Keys];
        Topology = topology;
    }

    /// <summary>The worker CPUs of -C, ascending.</summary>
    public IReadOnlyList<int> WorkerCpus { get; }

    public NumaTopology Topology { get; }

    public bool IsWorkerCpu(int cpu) => _load.ContainsKey(cpu);

    /// <summary>Picks the CPU for one direction and counts its load there until <see cref="Release"/>.</summary>
    public int Choose(Direction direction, int? pinned, int numaNode = -1)
    {
        lock (_gate)
        {
            int cpu = pinned ?? LeastLoaded(numaNode);
            if (_load.ContainsKey(cpu)) _load[cpu] += Weight(direction);
            return cpu;
        }
    }

    public void Release(Direction direction, int cpu)
    {
        lock (_gate)
            if (_load.ContainsKey(cpu)) _load[cpu] -= Weight(direction);
    }

    /// <summary>Moves one direction's load from one CPU to another (core scheduler UPDATE).</summary>
    public void Move(Direction direction, int from, int to)
    {
        lock (_gate)
        {
            if (_load.ContainsKey(from)) _load[from] -= Weight(direction);
            if (_load.ContainsKey(to)) _load[to] += Weight(direction);
        }
    }

    public int LoadOf(int cpu)
    {
        lock (_gate) return _load.GetValueOrDefault(cpu);
    }

    private int LeastLoaded(int numaNode)
    {
        bool onNode = numaNode >= 0 && _load.Keys.Any(c => Topology.NodeOf(c) == numaNode);
        int best = -1;
        foreach (var (cpu, load) in _load)
        {
            if (onNode && Topology.NodeOf(cpu) != numaNode) continue;
            if (best < 0 || load < _load[best]) best = cpu;
        }
        return best;
    }

    private static int Weight(Direction d) => d == Direction.VfToVm ? VfToVmWeight : VmToVfWeight;
}
