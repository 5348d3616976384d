using System.Globalization;
using VirtioForwarder.BenchReport;

// BenchReport <bench work dir> <docs/bench dir>: reads results.tsv, machine.txt and every other
// *.tsv of the run, rewrites the generated part of README.md and throughput.png.
// ./bench's helpers (scripts/bench/lib.sh):
//   BenchReport placement-probe CPU CPU   prints the cross-CPU cache-line round trip in ns
//   BenchReport placement-paired WORK OURS_RUNS REF_RUNS OURS_PLACEMENTS REF_PLACEMENTS
//       exits 0 when a case's runs so far hold a like-placed pair (or never can), 1 when another
//       repetition might give one; the split is that of every probe in WORK's results.tsv and these
//   BenchReport summary WORK              prints the run's results from like-placed runs
try
{
    return args switch
    {
        ["placement-probe", var a, var b] => Probe(int.Parse(a, CultureInfo.InvariantCulture), int.Parse(b, CultureInfo.InvariantCulture)),
        ["placement-paired", var work, var oursRuns, var refRuns, var oursPlacements, var refPlacements] =>
            Paired(work, new ResultRow("", "", 0, "Mpps", "n/a", "n/a", "n/a", oursRuns, refRuns, oursPlacements, refPlacements)),
        ["summary", var work] => Summary(work),
        [var work, var docs] when !work.StartsWith('-') => Report(work, docs),
        _ => Usage(),
    };
}
catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException or ArgumentException
    or InvalidOperationException or VirtioForwarder.Platform.SystemCallException)
{
    Console.Error.WriteLine($"BenchReport: {e.Message}");
    return 1;
}

static int Usage()
{
    Console.Error.WriteLine("usage: BenchReport <bench work dir> <docs/bench dir>");
    return 2;
}

// The probe's budget: ./bench takes one before and after every measurement.
static int Probe(int cpuA, int cpuB)
{
    Console.WriteLine(PlacementProbe.RoundTripNs(cpuA, cpuB, TimeSpan.FromMilliseconds(30)).ToString("F0", CultureInfo.InvariantCulture));
    return 0;
}

static IReadOnlyList<ResultRow> ResultsSoFar(string work)
{
    string path = Path.Combine(work, "results.tsv");
    return File.Exists(path) ? ResultRow.ReadAll(path) : [];
}

static int Paired(string work, ResultRow current)
{
    var split = PlacementSplit.Of(ResultsSoFar(work).Append(current));
    return PlacedResult.Of(current, split).PairedOrUnpairable ? 0 : 1;
}

static (PlacementSplit, PlacedResult[]) ReadPlaced(string work)
{
    var results = ResultRow.ReadAll(Path.Combine(work, "results.tsv"));
    var split = PlacementSplit.Of(results);
    return (split, results.Select(r => PlacedResult.Of(r, split)).ToArray());
}

static int Summary(string work)
{
    var (split, placed) = ReadPlaced(work);
    Console.Write(ConsoleSummary.Render(split, placed));
    return 0;
}

static int Report(string work, string docs)
{
    var (split, placed) = ReadPlaced(work);
    var machine = MachineInfo.Read(Path.Combine(work, "machine.txt"));
    var tables = Directory.GetFiles(work, "*.tsv").Where(f => Path.GetFileName(f) != "results.tsv")
        .Order(StringComparer.Ordinal).Select(TsvTable.Read).ToArray();
    const string chart = "throughput.png";
    Directory.CreateDirectory(docs);
    ThroughputChart.Save(placed, Path.Combine(docs, chart));
    string readmePath = Path.Combine(docs, "README.md");
    string readme = File.Exists(readmePath) ? File.ReadAllText(readmePath) : "# Benchmark results\n";
    File.WriteAllText(readmePath, MarkdownReport.Splice(readme, MarkdownReport.Render(machine, split, placed, tables, chart)));
    Console.WriteLine($"wrote {readmePath} and {Path.Combine(docs, chart)}");
    return 0;
}
