using System.Globalization;
using System.Text;
using VirtioForwarder.Control.Protobuf;

namespace VirtioForwarder.Cli.Stats;

/// <summary>
/// The <c>stats --watch</c> table: one row per relay with its state, CPUs, device, socket and
/// the rates the daemon measured over the request's delay (docs/control-contract.md §4.1).
/// Numbers right-aligned, text left-aligned, columns as wide as their widest cell.
/// </summary>
internal static class StatsTable
{
    private static readonly string[] Header =
    [
        "RELAY", "STATE", "CPU VF>VM", "CPU VM>VF",
        "VF>VM rx pps", "tx pps", "rx Mbps", "tx Mbps",
        "VM>VF rx pps", "tx pps", "rx Mbps", "tx Mbps",
        "DEVICE", "SOCKET",
    ];

    // Columns from DEVICE on are text; the rest are numbers.
    private const int FirstTextColumn = 12;

    public static string Render(StatsResponse reply)
    {
        var rows = new List<string[]> { Header };
        rows.AddRange(reply.Relay.Select(Row));
        int[] widths = Enumerable.Range(0, Header.Length).Select(c => rows.Max(row => row[c].Length)).ToArray();
        var text = new StringBuilder();
        foreach (string[] row in rows)
        {
            var line = new StringBuilder();
            for (int c = 0; c < row.Length; c++)
            {
                if (c > 0) line.Append("  ");
                line.Append(c is 1 or >= FirstTextColumn ? row[c].PadRight(widths[c]) : row[c].PadLeft(widths[c]));
            }
            text.Append(line.ToString().TrimEnd()).Append('\n');
        }
        if (reply.Relay.Count == 0)
            text.Append("(no relays to show)\n");
        return text.ToString();
    }

    private static string[] Row(RelayState relay)
    {
        var vfToVm = relay.VfToVm;
        var vmToVf = relay.VmToVf;
        return
        [
            Integer(relay.Id),
            State(relay),
            relay.Cpu is { HasVfToVm: true } ? Integer(relay.Cpu.VfToVm) : "-",
            relay.Cpu is { HasVmToVf: true } ? Integer(relay.Cpu.VmToVf) : "-",
            Pps(vfToVm.PktRateRxFromVf), Pps(vfToVm.PktRateTxToVm), Mbps(vfToVm.ByteRateRxFromVf), Mbps(vfToVm.ByteRateTxToVm),
            Pps(vmToVf.PktRateRxFromVm), Pps(vmToVf.PktRateTxToVf), Mbps(vmToVf.ByteRateRxFromVm), Mbps(vmToVf.ByteRateTxToVf),
            relay.Vf is { HasPciAddrStr: true } ? relay.Vf.PciAddrStr : "-",
            relay.Vhost.VhostSocketName,
        ];
    }

    // Active needs both sides (§4.2); otherwise say which side is there.
    private static string State(RelayState relay) => (relay.Active, relay.VfToVm.Active, relay.VmToVf.Active) switch
    {
        (true, _, _) => "active",
        (false, true, false) => "device only",
        (false, false, true) => "vm only",
        _ => "idle",
    };

    private static string Integer(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Pps(float rate) => rate switch
    {
        >= 1e6f => (rate / 1e6).ToString("0.00", CultureInfo.InvariantCulture) + "M",
        >= 1e3f => (rate / 1e3).ToString("0.0", CultureInfo.InvariantCulture) + "k",
        _ => rate.ToString("0", CultureInfo.InvariantCulture),
    };

    public static string Mbps(float bytesPerSecond) =>
        (bytesPerSecond * 8.0 / 1e6).ToString("0.0", CultureInfo.InvariantCulture);
}
