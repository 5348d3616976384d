using System.Text;

namespace VirtioForwarder.BenchReport;

/// <summary>
/// ./bench's closing table on the terminal: every result row from like-placed runs, as the report
/// has it, with each row's goal verdict (<see cref="Goal"/>). Rows start with the group, so ./test's check of the "g2h"/"h2g" progress lines ignores them.
/// </summary>
internal static class ConsoleSummary
{
    public static string Render(PlacementSplit split, IReadOnlyList<PlacedResult> results)
    {
        var text = new StringBuilder();
        text.Append($"[like-placed runs; placement: {split.Describe()}]\n");
        string perPlacement = split.IsSplit ? string.Join(" / ", split.Classes.Select(PlacementSplit.Name)) : "";
        text.Append($"{"group",-17} {"case",-8} {"size",5} {"ours",10} {"dpdk",10} {"ratio",6}  {"goal",-20} {"runs compared",-30} {perPlacement}\n");
        foreach (var r in results)
        {
            string ratios = split.IsSplit ? string.Join(" / ", split.Classes.Select(p => r.RatioByPlacement.GetValueOrDefault(p, "-"))) : "";
            text.Append($"{r.Row.Group,-17} {r.Row.Case,-8} {r.Row.Size,5} {r.Ours,10} {r.Reference,10} {r.Ratio,6}  {Goal.Verdict(r),-20} {r.UsedText,-30} {ratios}".TrimEnd())
                .Append('\n');
        }
        return text.ToString();
    }
}
