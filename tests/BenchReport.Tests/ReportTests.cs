namespace VirtioForwarder.BenchReport.Tests;

public sealed class ReportTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vfwd-benchreport-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // Probes of one placement only (no split): every probed run is like-placed.
    private static readonly ResultRow[] Rows =
    [
        ResultRow.Parse("null-1q-split\tg2h\t64\tMpps\t20.5\t10.25\t2.00\t20.5 19 21\t10.25 10 11\t120/118 119/121 118/-\t117/120 122/119 121/118"),
        ResultRow.Parse("null-1q-packed\th2g\t64\tMpps\tn/a\t12\tn/a\tn/a n/a n/a\t12 12 12\t- - -\t120/118 118/119 119/120"),
        ResultRow.Parse("latency-1q\tping\t64\tus\t8\t12\t1.50\t8 8 9\t12 12 13\t-\t-"),
    ];

    private static IReadOnlyList<PlacedResult> Placed(IReadOnlyList<ResultRow> rows)
    {
        var split = PlacementSplit.Of(rows);
        return rows.Select(r => PlacedResult.Of(r, split)).ToArray();
    }

    [Theory]
    [InlineData("null-1q-split\tg2h\t64\tMpps\t1\t1\t1.00\t1\t1")]
    [InlineData("null-1q-split\tg2h\tbig\tMpps\t1\t1\t1.00\t1\t1\t-\t-")]
    public void Malformed_rows_are_refused(string line) => Assert.Throws<FormatException>(() => ResultRow.Parse(line));

    [Fact]
    public void Groups_become_tables_with_the_ratio_direction_of_their_unit()
    {
        string md = MarkdownReport.Render([KeyValuePair.Create("commit measured", "abc1234")], PlacementSplit.Of(Rows), Placed(Rows), [], "throughput.png");
        Assert.Contains("- commit measured: abc1234", md);
        Assert.Contains("- placement (cross-CPU round trip, generator CPU to backend CPU): one placement, round trip median 119 ns", md);
        Assert.Contains("### null-1q-split (Mpps)", md);
        Assert.Contains("| g2h | 64 | 20.5 | 10.25 | 2.00 | met (1.10) | one placement: every probed run | 20.5 (120/118 ns), 19 (119/121 ns), 21 (118/- ns) | 10.25 (117/120 ns), 10 (122/119 ns), 11 (121/118 ns) |", md);
        Assert.Contains("| h2g | 64 | n/a | 12 | n/a | - | no like-placed pair: all runs |", md);
        Assert.Contains("ratio (DPDK / ours, lower is better)", md);
        Assert.DoesNotContain("ratio near", md);
        Assert.Contains("![throughput", md);
    }

    [Theory]
    [InlineData("64\tMpps\t1.105", "met (1.10)")]
    [InlineData("64\tMpps\t1.02", "short by 0.08 (1.10)")]
    [InlineData("1518\tMpps\t1.00", "met (1.00)")]
    [InlineData("1518\tMpps\t0.97", "short by 0.03 (1.00)")]
    [InlineData("98\tus\t0.90", "-")]
    public void Each_throughput_row_says_whether_it_meets_its_goal(string sizeUnitRatio, string verdict)
    {
        var (size, unit, ratio) = (sizeUnitRatio.Split('\t')[0], sizeUnitRatio.Split('\t')[1], sizeUnitRatio.Split('\t')[2]);
        var row = ResultRow.Parse($"g\tg2h\t{size}\t{unit}\t1\t1\t{ratio}\t1\t1\t-\t-");
        Assert.Equal(verdict, Goal.Verdict(PlacedResult.Of(row, PlacementSplit.Of([row]))));
    }

    [Fact]
    public void Module_tables_follow_the_results()
    {
        string path = Path.Combine(_dir, "memory.tsv");
        File.WriteAllText(path, "state\trelays\nidle\t4\n");
        string md = MarkdownReport.Render([], PlacementSplit.Of(Rows), Placed(Rows), [TsvTable.Read(path)], "t.png");
        Assert.Contains("### memory\n\n| state | relays |\n|---|---|\n| idle | 4 |\n", md);
    }

    [Fact]
    public void Splice_replaces_only_the_generated_part()
    {
        string readme = $"# Title\n\nprose\n\n{MarkdownReport.Begin}\nold\n{MarkdownReport.End}\n\nafter\n";
        string spliced = MarkdownReport.Splice(readme, "new\n");
        Assert.Equal($"# Title\n\nprose\n\n{MarkdownReport.Begin}\nnew\n{MarkdownReport.End}\n\nafter\n", spliced);
        Assert.Equal(spliced, MarkdownReport.Splice(spliced, "new\n"));
    }

    [Fact]
    public void Splice_appends_when_there_are_no_markers()
    {
        string spliced = MarkdownReport.Splice("# Title\n", "new\n");
        Assert.Equal($"# Title\n\n{MarkdownReport.Begin}\nnew\n{MarkdownReport.End}\n", spliced);
    }

    [Fact]
    public void The_chart_is_a_png()
    {
        string path = Path.Combine(_dir, "throughput.png");
        ThroughputChart.Save(Placed(Rows), path);
        byte[] head = File.ReadAllBytes(path)[..8];
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, head);
    }
}
