using System.Globalization;

namespace VirtioForwarder.BenchReport;

/// <summary>
/// The speed goal of a throughput row (issue 6): ours / DPDK at least 1.10 with 64 B frames and
/// at least 1.0 with larger ones. Latency rows have none. The verdict says by how much a row
/// falls short, so the bench's output shows it without reading the ratios against the goal.
/// </summary>
internal static class Goal
{
    public static double? Of(ResultRow row) => row.Unit == "Mpps" ? (row.Size <= 64 ? 1.10 : 1.00) : null;

    /// <summary>"met (1.10)", "short by 0.08 (1.10)", or "-" with no goal or no ratio.</summary>
    public static string Verdict(PlacedResult r)
    {
        if (Of(r.Row) is not { } goal || !double.TryParse(r.Ratio, NumberStyles.Float, CultureInfo.InvariantCulture, out double ratio))
            return "-";
        string g = goal.ToString("F2", CultureInfo.InvariantCulture);
        // Compared as printed (two decimals), so a ratio shown as 1.10 meets a goal of 1.10.
        double shown = Math.Round(ratio, 2);
        return shown >= goal ? $"met ({g})" : $"short by {(goal - shown).ToString("F2", CultureInfo.InvariantCulture)} ({g})";
    }
}
