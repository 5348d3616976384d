namespace VirtioForwarder.Relay;

/// <summary>Which worker CPU serves each relay direction (contract §10.5).</summary>
public enum Direction { VfToVm, VmToVf }

/// <summary>
/// Upstream's placement rule: a relay's -c pin if it has one; otherwise the least-loaded worker
/// CPU, a VF→VM direction weighing 12 and a VM→VF direction 10 (VF→VM does the flow hashing).
/// Ties go to the lowest CPU number.
/// </summary>
public sealed class CpuPlacement(IReadOnlyList<int> workerCpus)
{
    public const int VfToVmWeight = 12, VmToVfWeight = 10;

    private readonly Dictionary<int, int> _load = workerCpus.ToDictionary(c => c, _ => 0);

    public IReadOnlyList<int> WorkerCpus { get; } = workerCpus;

    public int Choose(Direction direction, int? pinned)
    {
        int cpu = pinned ?? _load.OrderBy(kv => kv.Value).ThenBy(kv => kv.Key).First().Key;
        if (_load.ContainsKey(cpu)) _load[cpu] += Weight(direction);
        return cpu;
    }

    public void Release(Direction direction, int cpu)
    {
        if (_load.ContainsKey(cpu)) _load[cpu] -= Weight(direction);
    }

    public int LoadOf(int cpu) => _load.GetValueOrDefault(cpu);

    private static int Weight(Direction d) => d == Direction.VfToVm ? VfToVmWeight : VmToVfWeight;
}
