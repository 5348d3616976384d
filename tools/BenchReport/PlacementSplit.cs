using System.Globalization;

namespace VirtioForwarder.BenchReport;

/// <summary>Where a run took place: near or far vCPUs, or the one placement of a run whose probes show no split.</summary>
internal enum Placement { Unknown, Single, Near, Far }

/// <summary>
/// The near/far threshold of one bench run, from the distribution of all its placement probes:
/// sorted, the widest gap between neighbours (as a ratio) splits them when it is at least
/// <see cref="MinGap"/> (near ~100-125 ns and far ~450-650 ns on the VMs of docs/bench are apart by
/// 3x or more, a placement's own probes by far less); otherwise the run had one placement.
/// </summary>
internal sealed class PlacementSplit
{
    public const double MinGap = 2.0;

    /// <summary>Probes below are near, at or above far; null when the run shows one placement.</summary>
    public double? ThresholdNs { get; }
    public IReadOnlyList<double> Near { get; }
    public IReadOnlyList<double> Far { get; }

    private PlacementSplit(double? threshold, IReadOnlyList<double> near, IReadOnlyList<double> far) =>
        (ThresholdNs, Near, Far) = (threshold, near, far);

    public static PlacementSplit Of(IEnumerable<double> probesNs)
    {
        var sorted = probesNs.Order().ToArray();
        int widest = -1;
        double widestGap = MinGap;
        for (int i = 0; i + 1 < sorted.Length; i++)
        {
            double gap = sorted[i + 1] / sorted[i];
            if (gap >= widestGap) (widest, widestGap) = (i, gap);
        }
        if (widest < 0) return new PlacementSplit(null, sorted, []);
        return new PlacementSplit(Math.Sqrt(sorted[widest] * sorted[widest + 1]), sorted[..(widest + 1)], sorted[(widest + 1)..]);
    }

    /// <summary>The split of every probe in a run's results.</summary>
    public static PlacementSplit Of(IEnumerable<ResultRow> rows) =>
        Of(rows.SelectMany(r => r.OursProbed.Concat(r.ReferenceProbed)).SelectMany(run => run.ProbesNs));

    public bool IsSplit => ThresholdNs is not null;

    /// <summary>The classes a run's runs fall in: near and far, or the single one.</summary>
    public IReadOnlyList<Placement> Classes => IsSplit ? [Placement.Near, Placement.Far] : [Placement.Single];

    /// <summary>The placement most probes of the run saw (near on a tie): the one the tables' ratios come from.</summary>
    public Placement Dominant => !IsSplit ? Placement.Single : Far.Count > Near.Count ? Placement.Far : Placement.Near;

    /// <summary>A run's placement: that of its probes when they agree; Unknown when it has none or they disagree (the placement changed around it).</summary>
    public Placement Of(ProbedRun run)
    {
        var classes = run.ProbesNs.Select(ns => !IsSplit ? Placement.Single : ns < ThresholdNs ? Placement.Near : Placement.Far)
            .Distinct().ToArray();
        return classes.Length == 1 ? classes[0] : Placement.Unknown;
    }

    /// <summary>One line for the report: the threshold and each class's probes.</summary>
    public string Describe()
    {
        if (Near.Count == 0) return "no placement probe";
        if (!IsSplit) return $"one placement, round trip median {Ns(Stats.Median(Near))} ns ({Near.Count} probes; no gap of {MinGap}x or more between them)";
        return $"near below {Ns(ThresholdNs!.Value)} ns (median {Ns(Stats.Median(Near))} ns, {Near.Count} probes), " +
            $"far above (median {Ns(Stats.Median(Far))} ns, {Far.Count} probes); the tables use {Name(Dominant)} runs, the run's dominant placement";
    }

    public static string Name(Placement p) => p.ToString().ToLowerInvariant();

    private static string Ns(double ns) => ns.ToString("F0", CultureInfo.InvariantCulture);
}
