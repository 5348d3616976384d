using System.Globalization;

namespace VirtioForwarder.BenchReport;

/// <summary>Medians as scripts/bench/lib.sh takes them: of an even count, the mean of the middle two.</summary>
internal static class Stats
{
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) throw new ArgumentException("the median of nothing");
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary>
    /// The median of measured values written as text: of an odd count the middle one as written,
    /// of an even count their mean with as many decimals as the most precise of the inputs.
    /// </summary>
    public static string MedianText(IReadOnlyList<string> values)
    {
        if (values.Count % 2 == 1)
            return values.OrderBy(v => double.Parse(v, CultureInfo.InvariantCulture)).ElementAt(values.Count / 2);
        int decimals = values.Max(v => v.Contains('.') ? v.Length - v.IndexOf('.') - 1 : 0);
        return Median(values.Select(v => double.Parse(v, CultureInfo.InvariantCulture)))
            .ToString("F" + decimals, CultureInfo.InvariantCulture);
    }
}
