using System.Net.Sockets;
using VirtioForwarder.Control.Admin;
using VirtioForwarder.Relay;

namespace VirtioForwarder.Cli.Stats;

/// <summary>
/// <c>vfwdctl stats --control-socket PATH</c>: the counters over the daemon's local admin
/// channel, which carries drops by reason and by queue that upstream's protobuf has no field for;
/// "port rx missed" are the frames the kernel dropped in the port's receive ring (DPDK's imissed).
/// Then one line per worker: where its time went since it started (busy, idle polling, sleeping,
/// stalled: see Worker.Load).
/// </summary>
internal static class AdminStats
{
    public static int Run(string socketPath, bool json, bool all)
    {
        string reply;
        try { reply = AdminClient.Request(socketPath, "stats"); }
        catch (Exception e) when (e is SocketException or IOException)
        {
            throw new CliException($"cannot reach the daemon at {socketPath}: {e.Message}");
        }
        if (json) { Console.WriteLine(reply); return 0; }
        var parsed = AdminClient.Parse(reply);
        if (!parsed.Ok || parsed.Stats is null)
            throw new CliException(parsed.Error ?? "the daemon sent no stats");
        foreach (var r in parsed.Stats.Relays)
            if (all || r.Port is not null || r.VmConnected) Print(r);
        foreach (var w in parsed.Stats.Workers ?? []) Print(w);
        return 0;
    }

    /// <summary>A worker's time since it started, as shares of the whole (OVS pmd-stats-show's processing and idle cycles).</summary>
    private static void Print(WorkerLoad w)
    {
        double total = Math.Max(1, w.BusyNs + w.IdleNs + w.SleepNs + w.StalledNs);
        string Share(long ns) => (100 * ns / total).ToString("F1", System.Globalization.CultureInfo.InvariantCulture);
        Console.WriteLine($"worker cpu {w.Cpu}: busy {Share(w.BusyNs)} %, idle polling {Share(w.IdleNs)} %, sleeping {Share(w.SleepNs)} %, " +
                          $"stalled {Share(w.StalledNs)} % of {total / 1e9:F1} s; {w.Passes} passes, {w.Sleeps} sleeps");
    }

    private static void Print(RelaySnapshot r)
    {
        Console.WriteLine($"relay {r.Id}: vm {(r.VmConnected ? $"connected ({r.GuestRxQueues} rx / {r.GuestTxQueues} tx queues)" : "not connected")}, " +
                          $"port {r.Port ?? "none"}, socket {r.SocketPath ?? "NONE"}");
        PrintDirection("vf->vm", r.VfToVmCpu, r.VfToVm, "vm queue full");
        PrintDirection("vm->vf", r.VmToVfCpu, r.VmToVf, "vf queue full");
        if (r.EvictingGuestFrames) Console.WriteLine("  vm->vf evicts the guest's frames from the cache after copying them");
    }

    private static void PrintDirection(string name, int? cpu, CountersSnapshot c, string queueFull)
    {
        Console.WriteLine($"  {name} cpu {cpu?.ToString() ?? "-"}: rx {c.RxPackets} pkts {c.RxBytes} B, tx {c.TxPackets} pkts {c.TxBytes} B, " +
                          $"dropped: {queueFull} {c.DroppedQueueFull}, not connected {c.DroppedNotConnected}, " +
                          $"link down {c.DroppedLinkDown}, oversize {c.DroppedOversize}, port rx missed {c.DroppedRxMissed}");
        foreach (var q in c.ByQueue ?? [])
            Console.WriteLine($"    queue {q.Queue} dropped: {queueFull} {q.QueueFull}, not connected {q.NotConnected}, " +
                              $"link down {q.LinkDown}, oversize {q.Oversize}, port rx missed {q.RxMissed}");
    }
}
