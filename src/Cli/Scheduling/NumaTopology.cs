using System.Globalization;

namespace VirtioForwarder.Cli.Scheduling;

/// <summary>
/// Which CPUs each NUMA node has, from /sys/devices/system/node/node*/cpulist. Upstream asks
/// lscpu (docs/control-contract.md §7.5); sysfs is what lscpu reads.
/// </summary>
internal static class NumaTopology
{
    public const string SysfsNodes = "/sys/devices/system/node";

    /// <summary>Node → CPUs. A kernel without NUMA support has no node directories: everything is node 0.</summary>
    public static IReadOnlyDictionary<int, IReadOnlySet<uint>> Read(string root = SysfsNodes)
    {
        var nodes = new SortedDictionary<int, IReadOnlySet<uint>>();
        if (Directory.Exists(root))
        {
            foreach (string dir in Directory.EnumerateDirectories(root, "node*"))
            {
                string cpulist = Path.Combine(dir, "cpulist");
                if (int.TryParse(Path.GetFileName(dir).AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out int node) && File.Exists(cpulist))
                    nodes[node] = ParseCpuList(File.ReadAllText(cpulist));
            }
        }
        if (nodes.Count == 0)
            nodes[0] = ParseCpuList(File.ReadAllText("/sys/devices/system/cpu/online"));
        return nodes;
    }

    /// <summary>The kernel's CPU list syntax: "0-3,8,10-11"; empty for a CPU-less node.</summary>
    public static IReadOnlySet<uint> ParseCpuList(string text)
    {
        var cpus = new SortedSet<uint>();
        foreach (string item in text.Trim().Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] range = item.Split('-');
            uint first = uint.Parse(range[0], CultureInfo.InvariantCulture);
            uint last = range.Length > 1 ? uint.Parse(range[1], CultureInfo.InvariantCulture) : first;
            for (uint cpu = first; cpu <= last; cpu++)
                cpus.Add(cpu);
        }
        return cpus;
    }
}
