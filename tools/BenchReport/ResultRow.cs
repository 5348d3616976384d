namespace VirtioForwarder.BenchReport;

/// <summary>
/// One row of a bench run's results.tsv, as scripts/bench/lib.sh's record_result writes it:
/// group, case, size, unit, ours and reference medians, ratio, then each side's runs.
/// Medians and ratio stay text: "n/a" is a result too.
/// </summary>
internal sealed record ResultRow(string Group, string Case, int Size, string Unit, string Ours, string Reference,
    string Ratio, string OursRuns, string ReferenceRuns)
{
    public static ResultRow Parse(string line)
    {
        var f = line.Split('\t');
        if (f.Length != 9 || !int.TryParse(f[2], out int size))
            throw new FormatException($"results.tsv: expected 9 tab-separated fields with a numeric size, got '{line}'");
        return new ResultRow(f[0], f[1], size, f[3], f[4], f[5], f[6], f[7], f[8]);
    }

    public static IReadOnlyList<ResultRow> ReadAll(string path) =>
        File.ReadAllLines(path).Where(l => l.Length > 0).Select(Parse).ToArray();

    /// <summary>The median as a number, or null for "n/a".</summary>
    public static double? Value(string median) =>
        double.TryParse(median, System.Globalization.CultureInfo.InvariantCulture, out double v) ? v : null;
}
