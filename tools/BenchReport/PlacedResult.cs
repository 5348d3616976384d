namespace VirtioForwarder.BenchReport;

/// <summary>
/// A result row read with its runs' placements: ours and the reference compared only run for run
/// in like placements (docs/bench/README.md, "Placement"). Per placement class with runs of both
/// sides, the medians and their ratio; the row shows the run's dominant class, the other when the
/// dominant one has no runs of both sides (<see cref="Fallback"/>), and all runs, as record_result
/// took them, when no class has (<see cref="Used"/> Unknown).
/// </summary>
internal sealed record PlacedResult(ResultRow Row, Placement Used, bool Fallback, string Ours, string Reference, string Ratio,
    IReadOnlyDictionary<Placement, string> RatioByPlacement)
{
    public static PlacedResult Of(ResultRow row, PlacementSplit split)
    {
        var ours = row.OursProbed;
        var refs = row.ReferenceProbed;
        var pairs = new Dictionary<Placement, (string Ours, string Reference, string Ratio)>();
        foreach (var p in split.Classes)
        {
            var o = Measured(ours, split, p);
            var r = Measured(refs, split, p);
            if (o.Count == 0 || r.Count == 0) continue;
            string om = Stats.MedianText(o), rm = Stats.MedianText(r);
            pairs[p] = (om, rm, row.RatioOf(om, rm));
        }
        var ratios = pairs.ToDictionary(kv => kv.Key, kv => kv.Value.Ratio);
        var order = split.Classes.OrderBy(p => p == split.Dominant ? 0 : 1);
        foreach (var p in order)
            if (pairs.TryGetValue(p, out var pair))
                return new PlacedResult(row, p, p != split.Dominant, pair.Ours, pair.Reference, pair.Ratio, ratios);
        return new PlacedResult(row, Placement.Unknown, false, row.Ours, row.Reference, row.Ratio, ratios);
    }

    /// <summary>Whether ours and the reference have a run each in a like placement, or could never have (a side with no measured run).</summary>
    public bool PairedOrUnpairable =>
        Used != Placement.Unknown || !Row.OursProbed.Any(r => r.Value is not null) || !Row.ReferenceProbed.Any(r => r.Value is not null);

    /// <summary>Which runs the row's medians come from, for the table.</summary>
    public string UsedText => Used switch
    {
        Placement.Unknown => "no like-placed pair: all runs",
        Placement.Single => "one placement: every probed run",
        // A fallback is only possible between near and far: the other one is the dominant one.
        _ when Fallback => $"{PlacementSplit.Name(Used)} (no {PlacementSplit.Name(Used == Placement.Near ? Placement.Far : Placement.Near)} pair)",
        _ => PlacementSplit.Name(Used),
    };

    private static List<string> Measured(IReadOnlyList<ProbedRun> runs, PlacementSplit split, Placement p) =>
        runs.Where(r => r.Value is not null && split.Of(r) == p).Select(r => r.Text).ToList();
}
