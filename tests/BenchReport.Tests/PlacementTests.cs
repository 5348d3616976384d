namespace VirtioForwarder.BenchReport.Tests;

/// <summary>
/// The placement pairing of tools/BenchReport: a run's probes split into near and far at their
/// widest gap, each run classed by the probes around it, and ours compared with the reference
/// only within one class (docs/bench/README.md, "Placement").
/// </summary>
public sealed class PlacementTests
{
    private static ResultRow Row(string ours, string refs, string oursPlaced, string refsPlaced, string unit = "Mpps") =>
        ResultRow.Parse($"null-1q-split\tg2h\t64\t{unit}\tm\tm\tr\t{ours}\t{refs}\t{oursPlaced}\t{refsPlaced}");

    private static PlacedResult Place(ResultRow row, params ResultRow[] rest)
    {
        var split = PlacementSplit.Of(rest.Prepend(row));
        return PlacedResult.Of(row, split);
    }

    [Fact]
    public void Probes_split_at_their_widest_gap()
    {
        var split = PlacementSplit.Of([118.0, 110, 640, 125, 460, 520, 130]);
        Assert.True(split.IsSplit);
        Assert.Equal(Math.Sqrt(130.0 * 460), split.ThresholdNs!.Value, 6);
        Assert.Equal([110.0, 118, 125, 130], split.Near);
        Assert.Equal([460.0, 520, 640], split.Far);
        Assert.Equal(Placement.Near, split.Dominant);
        Assert.Equal([Placement.Near, Placement.Far], split.Classes);
    }

    [Fact]
    public void Probes_without_a_wide_gap_are_one_placement()
    {
        var split = PlacementSplit.Of([110.0, 150, 200, 290, 450]);
        Assert.False(split.IsSplit);
        Assert.Equal([Placement.Single], split.Classes);
        Assert.Equal(Placement.Single, split.Of(new ProbedRun("1", 1, 110, 450)));
        Assert.Contains("one placement", split.Describe());
    }

    [Fact]
    public void The_dominant_placement_is_the_one_most_probes_saw()
    {
        Assert.Equal(Placement.Far, PlacementSplit.Of([120.0, 500, 510, 530]).Dominant);
        Assert.Equal(Placement.Near, PlacementSplit.Of([120.0, 125, 500, 510]).Dominant);
    }

    [Theory]
    [InlineData("118/121", "near")]
    [InlineData("520/480", "far")]
    [InlineData("-/121", "near")]
    [InlineData("520/-", "far")]
    [InlineData("118/520", "unknown")] // the placement changed around the run
    [InlineData("-/-", "unknown")]
    [InlineData("-", "unknown")]
    public void A_run_takes_the_placement_its_probes_agree_on(string token, string expected)
    {
        var split = PlacementSplit.Of([110.0, 125, 480, 520]);
        var run = ProbedRun.Zip("14.2", token).Single();
        Assert.Equal(expected, PlacementSplit.Name(split.Of(run)));
    }

    [Fact]
    public void Runs_and_placements_pair_in_order_and_missing_placements_mean_no_probe()
    {
        var runs = ProbedRun.Zip("14.2 n/a 9", "118/121 -");
        Assert.Equal([14.2, null, 9], runs.Select(r => r.Value));
        Assert.Equal([118.0, 121], runs[0].ProbesNs);
        Assert.Empty(runs[1].ProbesNs);
        Assert.Empty(runs[2].ProbesNs);
        Assert.Equal("14.2 (118/121 ns)", runs[0].ToString());
        Assert.Equal("9", runs[2].ToString());
    }

    [Fact]
    public void Ours_and_the_reference_are_compared_within_each_placement()
    {
        // Ours follows the placement (25 near, 14 far), the reference barely moves.
        var placed = Place(Row("25 14 24.6", "12 11.5 12.2", "110/115 500/520 118/112", "112/110 530/490 115/120"));
        Assert.Equal(Placement.Near, placed.Used);
        Assert.False(placed.Fallback);
        Assert.Equal(("24.8", "12.1", "2.05"), (placed.Ours, placed.Reference, placed.Ratio));
        Assert.Equal("2.05", placed.RatioByPlacement[Placement.Near]);
        Assert.Equal("1.22", placed.RatioByPlacement[Placement.Far]);
        Assert.Equal("near", placed.UsedText);
    }

    [Fact]
    public void The_other_placement_is_used_when_the_dominant_one_has_no_pair()
    {
        // The run was mostly near (another row), but this case paired only while far.
        var other = Row("25 25", "12 12", "110/112 111/113", "112/110 114/111");
        var placed = Place(Row("14 25", "11.5 12", "500/520 110/115", "530/490 520/515"), other);
        Assert.Equal(Placement.Far, placed.Used);
        Assert.True(placed.Fallback);
        Assert.Equal(("14", "11.8", "1.19"), (placed.Ours, placed.Reference, placed.Ratio));
        Assert.False(placed.RatioByPlacement.ContainsKey(Placement.Near));
        Assert.Equal("far (no near pair)", placed.UsedText);
    }

    [Fact]
    public void A_case_with_no_like_placed_pair_keeps_all_runs_and_says_so()
    {
        var row = Row("25 24", "12 11", "110/115 118/112", "530/490 520/515");
        var placed = Place(row);
        Assert.Equal(Placement.Unknown, placed.Used);
        Assert.Equal((row.Ours, row.Reference, row.Ratio), (placed.Ours, placed.Reference, placed.Ratio));
        Assert.Empty(placed.RatioByPlacement);
        Assert.Equal("no like-placed pair: all runs", placed.UsedText);
        Assert.False(placed.PairedOrUnpairable);
    }

    [Fact]
    public void Runs_whose_placement_changed_around_them_are_left_out()
    {
        var placed = Place(Row("25 14", "12 11", "110/520 500/510", "115/112 520/530"));
        Assert.Equal(Placement.Far, placed.Used);
        Assert.Equal(("14", "11", "1.27"), (placed.Ours, placed.Reference, placed.Ratio));
        Assert.False(placed.RatioByPlacement.ContainsKey(Placement.Near));
    }

    [Fact]
    public void Latencies_compare_the_reference_over_ours()
    {
        var placed = Place(Row("80 200", "120 130", "110/115 500/510", "112/118 505/500", unit: "us"));
        Assert.Equal("1.50", placed.RatioByPlacement[Placement.Near]);
        Assert.Equal("0.65", placed.RatioByPlacement[Placement.Far]);
    }

    [Fact]
    public void A_side_with_no_measured_run_never_pairs_so_needs_no_further_round()
    {
        Assert.True(Place(Row("n/a n/a", "12 11", "- -", "112/110 500/510")).PairedOrUnpairable);
        Assert.True(Place(Row("0 0", "12 11", "110/112 111/113", "112/110 500/510")).PairedOrUnpairable);
    }

    [Fact]
    public void Per_placement_ratios_are_columns_when_the_run_split()
    {
        var rows = new[] { Row("25 14", "12 11", "110/115 500/520", "112/110 530/490") };
        var split = PlacementSplit.Of(rows);
        string md = MarkdownReport.Render([], split, rows.Select(r => PlacedResult.Of(r, split)).ToArray(), [], "t.png");
        Assert.Contains("| runs compared | ratio near | ratio far |", md);
        Assert.Contains("| g2h | 64 | 25 | 12 | 2.08 | met (1.10) | near | 2.08 | 1.27 |", md);
        Assert.Contains("the tables use near runs", md);
    }

    [Fact]
    public void The_console_summary_rows_start_with_the_group()
    {
        var rows = new[] { Row("25 14", "12 11", "110/115 500/520", "112/110 530/490") };
        var split = PlacementSplit.Of(rows);
        string text = ConsoleSummary.Render(split, rows.Select(r => PlacedResult.Of(r, split)).ToArray());
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("[like-placed runs; placement: near below", lines[0]);
        Assert.Matches(@"^null-1q-split +g2h +64 +25 +12 +2\.08 +met \(1\.10\) +near +2\.08 / 1\.27$", lines[2]);
    }

    [Fact]
    public void Medians_keep_the_precision_of_their_inputs()
    {
        Assert.Equal("12", Stats.MedianText(["12", "11.5", "12.2"]));
        Assert.Equal("11.75", Stats.MedianText(["11.5", "12.00"]));
        Assert.Equal("1.376", Stats.MedianText(["1.368", "1.383", "1.376"]));
    }

    [Fact]
    public void The_probe_times_a_round_trip_between_two_cpus()
    {
        double ns = PlacementProbe.RoundTripNs(0, 1, TimeSpan.FromMilliseconds(30));
        Assert.InRange(ns, 1, 1_000_000);
        Assert.Throws<ArgumentException>(() => PlacementProbe.RoundTripNs(0, 0, TimeSpan.FromMilliseconds(30)));
    }
}
