using ScottPlot;

namespace VirtioForwarder.BenchReport;

/// <summary>docs/bench/throughput.png: ours and the DPDK reference side by side for every Mpps case (the medians of the report's tables: like-placed runs).</summary>
internal static class ThroughputChart
{
    private static readonly Color Ours = Colors.SteelBlue, Dpdk = Colors.DarkOrange;

    public static void Save(IReadOnlyList<PlacedResult> results, string path)
    {
        var rows = results.Where(r => r.Row.Unit == "Mpps").ToArray();
        var plot = new Plot();
        var bars = new List<Bar>();
        var ticks = new List<Tick>();
        for (int i = 0; i < rows.Length; i++)
        {
            double x = i * 3;
            // "n/a" (not measured, e.g. a ring layout we do not negotiate) leaves its bar out.
            if (ResultRow.Value(rows[i].Ours) is { } ours) bars.Add(new Bar { Position = x, Value = ours, FillColor = Ours });
            if (ResultRow.Value(rows[i].Reference) is { } dpdk) bars.Add(new Bar { Position = x + 1, Value = dpdk, FillColor = Dpdk });
            ticks.Add(new Tick(x + 0.5, $"{rows[i].Row.Group} {rows[i].Row.Case} {rows[i].Row.Size} B", isMajor: true));
        }
        plot.Add.Bars(bars);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks.ToArray());
        plot.Axes.Bottom.TickLabelStyle.Rotation = 45;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        plot.Axes.Bottom.MinimumSize = 170;
        plot.Axes.Margins(bottom: 0, top: 0.15);
        plot.Axes.Right.MinimumSize = 60;
        plot.YLabel("Mpps (median)");
        plot.Title("virtio-forwarder for .NET against DPDK testpmd, same generator");
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "ours", FillColor = Ours });
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "DPDK testpmd (reference)", FillColor = Dpdk });
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(path, Math.Max(800, 90 * rows.Length), 700);
    }
}
