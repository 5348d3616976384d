using System.Globalization;

namespace VirtioForwarder.BenchReport;

/// <summary>
/// One row of a bench run's results.tsv, as scripts/bench/lib.sh's record_result writes it:
/// group, case, size, unit, ours and reference medians, ratio, each side's runs, then each side's
/// placement probes (a "before/after" round trip in ns per run, see <see cref="ProbedRun"/>).
/// Medians and ratio stay text: "n/a" is a result too.
/// </summary>
internal sealed record ResultRow(string Group, string Case, int Size, string Unit, string Ours, string Reference,
    string Ratio, string OursRuns, string ReferenceRuns, string OursPlacements, string ReferencePlacements)
{
    public static ResultRow Parse(string line)
    {
        var f = line.Split('\t');
        if (f.Length != 11 || !int.TryParse(f[2], out int size))
            throw new FormatException($"results.tsv: expected 11 tab-separated fields with a numeric size, got '{line}'");
        return new ResultRow(f[0], f[1], size, f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10]);
    }

    public static IReadOnlyList<ResultRow> ReadAll(string path) =>
        File.ReadAllLines(path).Where(l => l.Length > 0).Select(Parse).ToArray();

    /// <summary>The median as a number, or null for "n/a".</summary>
    public static double? Value(string median) =>
        double.TryParse(median, CultureInfo.InvariantCulture, out double v) ? v : null;

    public IReadOnlyList<ProbedRun> OursProbed => ProbedRun.Zip(OursRuns, OursPlacements);
    public IReadOnlyList<ProbedRun> ReferenceProbed => ProbedRun.Zip(ReferenceRuns, ReferencePlacements);

    /// <summary>
    /// Ours against the reference as lib.sh's ratio writes it, above 1 when ours is better: ours /
    /// reference in Mpps, reference / ours in us; "n/a" unless both are positive numbers.
    /// </summary>
    public string RatioOf(string ours, string reference) =>
        Value(ours) is double o && o > 0 && Value(reference) is double r && r > 0
            ? (Unit == "us" ? r / o : o / r).ToString("F2", CultureInfo.InvariantCulture)
            : "n/a";
}
