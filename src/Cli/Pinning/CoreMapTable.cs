using System.Globalization;
using System.Text;
using VirtioForwarder.Control.Protobuf;

namespace VirtioForwarder.Cli.Pinning;

/// <summary>
/// Upstream's worker core table (docs/control-contract.md §7.3), printed by the pinner and
/// logged by the scheduler: one column per EAL core in the server's order, headed
/// <c>== CC ==</c>; each row lists a VM→VF relay and a VF→VM relay on that core as two digits.
/// A relay on a CPU that is not a worker core has no column and is left out.
/// </summary>
internal static class CoreMapTable
{
    public static IReadOnlyList<string> Lines(IEnumerable<RelayState> relays, IReadOnlyList<uint> cores)
    {
        var vmToVf = cores.ToDictionary(core => core, _ => new List<uint>());
        var vfToVm = cores.ToDictionary(core => core, _ => new List<uint>());
        foreach (RelayState relay in relays)
        {
            if (relay.Cpu is not { } cpu) continue;
            if (cpu.HasVmToVf && vmToVf.TryGetValue((uint)cpu.VmToVf, out var a)) a.Add(relay.Id);
            if (cpu.HasVfToVm && vfToVm.TryGetValue((uint)cpu.VfToVm, out var b)) b.Add(relay.Id);
        }

        string rule = new('=', Math.Max(0, 11 * cores.Count - 3));
        var lines = new List<string> { rule, string.Concat(cores.Select(core => $"== {Two(core)} ==   ")).TrimEnd() };
        int rows = cores.Select(core => Math.Max(vmToVf[core].Count, vfToVm[core].Count)).DefaultIfEmpty(0).Max();
        for (int i = 0; i < rows; i++)
        {
            var row = new StringBuilder();
            foreach (uint core in cores)
                row.Append(Cell(vmToVf[core], i)).Append("    ").Append(Cell(vfToVm[core], i)).Append("   ");
            lines.Add(row.ToString().TrimEnd());
        }
        lines.Add(rule);
        return lines;
    }

    private static string Cell(List<uint> relays, int i) => i < relays.Count ? Two(relays[i]) : "  ";

    private static string Two(uint value) => value.ToString("00", CultureInfo.InvariantCulture);
}
