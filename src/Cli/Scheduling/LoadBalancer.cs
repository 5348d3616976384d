using VirtioForwarder.Control.Protobuf;
using RelayCPU = VirtioForwarder.Control.Protobuf.CoreSchedRequest.Types.RelayCPU;

namespace VirtioForwarder.Cli.Scheduling;

/// <summary>
/// Upstream's core scheduler arithmetic (docs/control-contract.md §7.5): a greedy assignment of
/// relay directions to worker cores, judged by the coefficient of variation (CoV) of the
/// per-core loads.
/// </summary>
internal static class LoadBalancer
{
    /// <summary>The CoV when nothing carries load: there is nothing to balance.</summary>
    public const double NoLoad = -1.0;

    /// <summary>The CoV of a current mapping that uses a CPU outside the group's workers: any assignment is better.</summary>
    public const double Unknown = 1e10;

    /// <summary>
    /// Heaviest direction first, each onto the least-loaded worker (the first in
    /// <paramref name="workers"/>' order on a tie); returns one mapping per relay, by relay id,
    /// and the CoV it gives.
    /// </summary>
    public static (IReadOnlyList<RelayCPU> Mappings, double CoV) Assign(IReadOnlyList<RelayLoad> loads, IReadOnlyList<uint> workers)
    {
        var perWorker = workers.ToDictionary(worker => worker, _ => 0.0);
        var vmToVf = new Dictionary<uint, uint>();
        var vfToVm = new Dictionary<uint, uint>();
        var directions = loads
            .SelectMany(load => new[] { (load.Relay, Load: load.VmToVf, Target: vmToVf), (load.Relay, Load: load.VfToVm, Target: vfToVm) })
            .OrderByDescending(direction => direction.Load); // stable, as Python's sorted
        foreach (var (relay, load, target) in directions)
        {
            uint least = workers.MinBy(worker => perWorker[worker]);
            perWorker[least] += load;
            target[relay] = least;
        }
        var mappings = loads.Select(load => load.Relay).Order().Select(relay => new RelayCPU
        {
            RelayNumber = (int)relay,
            Virtio2VfCpu = (int)vmToVf[relay],
            Vf2VirtioCpu = (int)vfToVm[relay],
        }).ToList();
        return (mappings, CoefficientOfVariation(perWorker.Values));
    }

    /// <summary>The CoV the relays' current CPUs give with these loads.</summary>
    public static double CurrentCoV(IEnumerable<RelayCPU> current, IReadOnlyList<RelayLoad> loads, IReadOnlyList<uint> workers)
    {
        var perWorker = workers.ToDictionary(worker => (int)worker, _ => 0.0);
        var byRelay = loads.ToDictionary(load => (int)load.Relay);
        foreach (RelayCPU mapping in current)
        {
            if (!perWorker.ContainsKey(mapping.Virtio2VfCpu) || !perWorker.ContainsKey(mapping.Vf2VirtioCpu))
                return Unknown;
            perWorker[mapping.Virtio2VfCpu] += byRelay[mapping.RelayNumber].VmToVf;
            perWorker[mapping.Vf2VirtioCpu] += byRelay[mapping.RelayNumber].VfToVm;
        }
        return CoefficientOfVariation(perWorker.Values);
    }

    /// <summary>Upstream's rule: move only when the new CoV beats the current one by more than the sensitivity.</summary>
    public static bool WorthMoving(double newCoV, double currentCoV, double sensitivity) =>
        newCoV != NoLoad && newCoV + sensitivity < currentCoV;

    private static double CoefficientOfVariation(IReadOnlyCollection<double> loads)
    {
        double mean = loads.Sum() / loads.Count;
        if (mean == 0)
            return NoLoad;
        double variance = loads.Sum(load => (load - mean) * (load - mean)) / loads.Count;
        return Math.Sqrt(variance) / mean;
    }
}
