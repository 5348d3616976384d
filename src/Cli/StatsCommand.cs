using System.CommandLine;
using System.Net.Sockets;
using VirtioForwarder.Control.Admin;
using VirtioForwarder.Relay;

namespace VirtioForwarder.Cli;

/// <summary><c>vfwdctl stats</c>: per-relay, per-direction counters with drops by reason.</summary>
internal static class StatsCommand
{
    public static Command Create()
    {
        var socket = new Option<string>("--control-socket")
        {
            Description = "the daemon's admin socket (its --control-socket)",
            DefaultValueFactory = _ => AdminProtocol.DefaultPath("/var/run"),
        };
        var json = new Option<bool>("--json") { Description = "print the daemon's JSON reply as it is" };
        var all = new Option<bool>("--all") { Description = "include relays with neither a VM nor a port" };
        var command = new Command("stats", "show relay counters") { socket, json, all };
        command.SetAction(result => Run(result.GetValue(socket)!, result.GetValue(json), result.GetValue(all)));
        return command;
    }

    private static int Run(string socketPath, bool json, bool all)
    {
        string reply;
        try { reply = AdminClient.Request(socketPath, "stats"); }
        catch (Exception e) when (e is SocketException or IOException)
        {
            Console.Error.WriteLine($"vfwdctl: cannot reach the daemon at {socketPath}: {e.Message}");
            return 1;
        }
        if (json) { Console.WriteLine(reply); return 0; }
        var parsed = AdminClient.Parse(reply);
        if (!parsed.Ok || parsed.Stats is null)
        {
            Console.Error.WriteLine($"vfwdctl: {parsed.Error}");
            return 1;
        }
        foreach (var r in parsed.Stats.Relays)
            if (all || r.Port is not null || r.VmConnected) Print(r);
        return 0;
    }

    private static void Print(RelaySnapshot r)
    {
        Console.WriteLine($"relay {r.Id}: vm {(r.VmConnected ? $"connected ({r.GuestRxQueues} rx / {r.GuestTxQueues} tx queues)" : "not connected")}, " +
                          $"port {r.Port ?? "none"}, socket {r.SocketPath ?? "NONE"}");
        PrintDirection("vf->vm", r.VfToVmCpu, r.VfToVm, "vm queue full");
        PrintDirection("vm->vf", r.VmToVfCpu, r.VmToVf, "vf queue full");
    }

    private static void PrintDirection(string name, int? cpu, CountersSnapshot c, string queueFull) =>
        Console.WriteLine($"  {name} cpu {cpu?.ToString() ?? "-"}: rx {c.RxPackets} pkts {c.RxBytes} B, tx {c.TxPackets} pkts {c.TxBytes} B, " +
                          $"dropped: {queueFull} {c.DroppedQueueFull}, not connected {c.DroppedNotConnected}, " +
                          $"link down {c.DroppedLinkDown}, oversize {c.DroppedOversize}");
}
