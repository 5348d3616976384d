namespace VirtioForwarder.BenchReport;

/// <summary>machine.txt of a bench run: "key: value" lines (CPU, memory, OS, DPDK, .NET, commit...), in order.</summary>
internal static class MachineInfo
{
    public static IReadOnlyList<KeyValuePair<string, string>> Read(string path) =>
        File.ReadAllLines(path)
            .Select(l => l.Split(':', 2))
            .Where(p => p.Length == 2)
            .Select(p => KeyValuePair.Create(p[0].Trim(), p[1].Trim()))
            .ToArray();
}
