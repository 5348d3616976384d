namespace VirtioForwarder.BenchReport;

/// <summary>A further table a bench module wrote as &lt;name&gt;.tsv: a header line, then rows.</summary>
internal sealed record TsvTable(string Name, IReadOnlyList<string> Header, IReadOnlyList<IReadOnlyList<string>> Rows)
{
    public static TsvTable Read(string path)
    {
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).Select(l => (IReadOnlyList<string>)l.Split('\t')).ToArray();
        if (lines.Length == 0) throw new FormatException($"{path}: empty table");
        return new TsvTable(Path.GetFileNameWithoutExtension(path), lines[0], lines[1..]);
    }
}
