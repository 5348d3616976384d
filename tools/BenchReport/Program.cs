using VirtioForwarder.BenchReport;

// BenchReport <bench work dir> <docs/bench dir>: reads results.tsv, machine.txt and every other
// *.tsv of the run, rewrites the generated part of README.md and throughput.png.
if (args.Length != 2)
{
    Console.Error.WriteLine("usage: BenchReport <bench work dir> <docs/bench dir>");
    return 2;
}
string work = args[0], docs = args[1];
try
{
    var results = ResultRow.ReadAll(Path.Combine(work, "results.tsv"));
    var machine = MachineInfo.Read(Path.Combine(work, "machine.txt"));
    var tables = Directory.GetFiles(work, "*.tsv").Where(f => Path.GetFileName(f) != "results.tsv")
        .Order(StringComparer.Ordinal).Select(TsvTable.Read).ToArray();
    const string chart = "throughput.png";
    Directory.CreateDirectory(docs);
    ThroughputChart.Save(results, Path.Combine(docs, chart));
    string readmePath = Path.Combine(docs, "README.md");
    string readme = File.Exists(readmePath) ? File.ReadAllText(readmePath) : "# Benchmark results\n";
    File.WriteAllText(readmePath, MarkdownReport.Splice(readme, MarkdownReport.Render(machine, results, tables, chart)));
    Console.WriteLine($"wrote {readmePath} and {Path.Combine(docs, chart)}");
    return 0;
}
catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"BenchReport: {e.Message}");
    return 1;
}
