using System.Globalization;

namespace VirtioForwarder.Relay;

/// <summary>
/// Which NUMA node each CPU belongs to, from <c>/sys/devices/system/node/node*/cpulist</c>.
/// A CPU the kernel names in no node (or a machine without that folder) has node -1, unknown.
/// </summary>
public sealed class NumaTopology(IReadOnlyDictionary<int, int> nodeOfCpu)
{
    public const string SysfsRoot = "/sys/devices/system/node";

    /// <summary>No node known for any CPU: placement then ignores NUMA.</summary>
    public static readonly NumaTopology Unknown = new(new Dictionary<int, int>());

    public int NodeOf(int cpu) => nodeOfCpu.GetValueOrDefault(cpu, -1);

    /// <summary>Reads the machine's topology; an unreadable or malformed entry only makes its CPUs unknown.</summary>
    public static NumaTopology Read(string root = SysfsRoot)
    {
        var map = new Dictionary<int, int>();
        if (!Directory.Exists(root)) return Unknown;
        foreach (var dir in Directory.EnumerateDirectories(root, "node*"))
        {
            if (!int.TryParse(Path.GetFileName(dir)["node".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out int node)) continue;
            try
            {
                foreach (int cpu in ParseCpuList(File.ReadAllText(Path.Combine(dir, "cpulist")))) map[cpu] = node;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or OverflowException) { }
        }
        return new NumaTopology(map);
    }

    /// <summary>The kernel's cpulist format: comma-separated CPUs and inclusive ranges, e.g. <c>0-3,8,10-11</c>.</summary>
    public static IEnumerable<int> ParseCpuList(string text)
    {
        foreach (var item in text.Trim().Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            int dash = item.IndexOf('-');
            int first = int.Parse(dash < 0 ? item : item[..dash], NumberStyles.None, CultureInfo.InvariantCulture);
            int last = dash < 0 ? first : int.Parse(item[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture);
            for (int cpu = first; cpu <= last; cpu++) yield return cpu;
        }
    }
}
