using System.Text.RegularExpressions;

namespace VirtioForwarder.EndToEnd.Tests.Harness;

/// <summary>One second of one port, from testpmd's --stats-period output.</summary>
public sealed record PpsSample(int Port, long RxPps, long TxPps);

/// <summary>Packets a port (or all ports) forwarded, from the totals testpmd prints when it stops.</summary>
public sealed record ForwardTotals(long RxPackets, long RxDropped, long TxPackets, long TxDropped);

/// <summary>One forwarding stream's packets (an RX queue of a port), from the per-stream totals testpmd prints when a port has several.</summary>
public sealed record StreamTotals(long RxPackets, long TxPackets);

/// <summary>
/// What testpmd's log says about traffic. <see cref="Streams"/> holds the last totals per (port, RX
/// queue) of a multi-queue run; testpmd leaves out streams that moved nothing.
/// </summary>
public sealed partial record TestpmdStats(
    IReadOnlyList<PpsSample> Samples,
    IReadOnlyDictionary<int, ForwardTotals> PortTotals,
    ForwardTotals? Accumulated,
    IReadOnlyDictionary<(int Port, int Queue), StreamTotals>? Streams = null)
{
    /// <summary>
    /// Median of a port's non-zero Rx-pps samples, the first one dropped as ramp-up when three or
    /// more remain; 0 without samples. Compare peers only within one run (see the test guide).
    /// </summary>
    public long MedianRxPps(int port)
    {
        var samples = Samples.Where(s => s.Port == port && s.RxPps > 0).Select(s => s.RxPps).ToList();
        if (samples.Count >= 3)
            samples.RemoveAt(0);
        return samples.Count == 0 ? 0 : samples.Order().ElementAt((samples.Count - 1) / 2);
    }

    public static TestpmdStats Parse(string log)
    {
        var samples = new List<PpsSample>();
        var totals = new Dictionary<int, ForwardTotals>();
        ForwardTotals? accumulated = null;
        int? statsPort = null;     // inside "NIC statistics for port N"
        long? rxPps = null;
        int? totalsPort = null;    // inside "Forward statistics for port N"; -1: the accumulated block
        (long Packets, long Dropped)? rx = null;
        var streams = new Dictionary<(int, int), StreamTotals>();
        (int, int)? stream = null;  // inside "Forward Stats for RX Port=P/Queue=Q"
        foreach (var line in log.Split('\n'))
        {
            if (StreamHeader().Match(line) is { Success: true } header)
                stream = (int.Parse(header.Groups[1].Value), int.Parse(header.Groups[2].Value));
            else if (StreamLine().Match(line) is { Success: true } streamLine && stream is { } key)
            {
                streams[key] = new StreamTotals(long.Parse(streamLine.Groups[1].Value), long.Parse(streamLine.Groups[2].Value));
                stream = null;
            }
            else if (NicStatsHeader().Match(line) is { Success: true } nic)
                statsPort = int.Parse(nic.Groups[1].Value);
            else if (PpsLine().Match(line) is { Success: true } pps && statsPort is { } port)
            {
                var value = long.Parse(pps.Groups[2].Value);
                if (pps.Groups[1].Value == "Rx")
                    rxPps = value;
                else if (rxPps is { } rxValue)
                {
                    samples.Add(new PpsSample(port, rxValue, value));
                    rxPps = null;
                }
            }
            else if (ForwardHeader().Match(line) is { Success: true } forward)
                totalsPort = forward.Groups[1].Success ? int.Parse(forward.Groups[1].Value) : -1;
            else if (TotalsLine().Match(line) is { Success: true } total && totalsPort is { } owner)
            {
                (long Packets, long Dropped) counts = (long.Parse(total.Groups[2].Value), long.Parse(total.Groups[3].Value));
                if (total.Groups[1].Value == "RX")
                    rx = counts;
                else if (rx is { } rxCounts)
                {
                    var result = new ForwardTotals(rxCounts.Packets, rxCounts.Dropped, counts.Packets, counts.Dropped);
                    if (owner < 0)
                        accumulated = result;
                    else
                        totals[owner] = result;
                    rx = null;
                    totalsPort = null;
                }
            }
        }
        return new TestpmdStats(samples, totals, accumulated, streams);
    }

    [GeneratedRegex(@"Forward Stats for RX Port=\s*(\d+)/Queue=\s*(\d+)")]
    private static partial Regex StreamHeader();

    [GeneratedRegex(@"^\s*RX-packets:\s+(\d+)\s+TX-packets:\s+(\d+)\s+TX-dropped:")]
    private static partial Regex StreamLine();

    [GeneratedRegex(@"NIC statistics for port (\d+)")]
    private static partial Regex NicStatsHeader();

    [GeneratedRegex(@"(Rx|Tx)-pps:\s+(\d+)")]
    private static partial Regex PpsLine();

    [GeneratedRegex(@"Forward statistics for port (\d+)|Accumulated forward statistics for all ports")]
    private static partial Regex ForwardHeader();

    // "RX-packets: N  RX-dropped: N  RX-total: N"; the NIC block's "RX-packets: N  RX-missed:" and
    // the per-stream "RX-packets: N TX-packets: N TX-dropped: N" lines do not match.
    [GeneratedRegex(@"^\s*(RX|TX)-packets:\s+(\d+)\s+\1-dropped:\s+(\d+)")]
    private static partial Regex TotalsLine();
}
