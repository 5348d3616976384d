using System.Globalization;

namespace VirtioForwarder.BenchReport;

/// <summary>
/// One measured run with the placement probes taken right before and after it: the cross-CPU
/// cache-line round trip in ns (<see cref="PlacementProbe"/>), null where none was taken.
/// Value is null for a run that could not be measured ("n/a").
/// </summary>
internal sealed record ProbedRun(string Text, double? Value, double? BeforeNs, double? AfterNs)
{
    /// <summary>The probes the run has.</summary>
    public IEnumerable<double> ProbesNs => new[] { BeforeNs, AfterNs }.OfType<double>();

    /// <summary>
    /// A side's runs ("14.8 15.2 n/a") with their placements ("118/121 540/- -"), paired in order;
    /// a run with no placement token has no probes.
    /// </summary>
    public static IReadOnlyList<ProbedRun> Zip(string runs, string placements)
    {
        var values = runs.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var probes = placements.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return values.Select((v, i) =>
        {
            var (before, after) = i < probes.Length ? ParseProbes(probes[i]) : (null, null);
            return new ProbedRun(v, ResultRow.Value(v), before, after);
        }).ToArray();
    }

    private static (double?, double?) ParseProbes(string token)
    {
        var parts = token.Split('/');
        return (Ns(parts[0]), parts.Length > 1 ? Ns(parts[1]) : null);
    }

    private static double? Ns(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double ns) && ns > 0 ? ns : null;

    /// <summary>"14.83 (118/121 ns)", or the bare value when no probe was taken.</summary>
    public override string ToString() =>
        BeforeNs is null && AfterNs is null ? Text : $"{Text} ({Show(BeforeNs)}/{Show(AfterNs)} ns)";

    private static string Show(double? ns) => ns?.ToString("F0", CultureInfo.InvariantCulture) ?? "-";
}
