using System.CommandLine;
using VirtioForwarder.Control.Protobuf;
using RelayCPU = VirtioForwarder.Control.Protobuf.CoreSchedRequest.Types.RelayCPU;

namespace VirtioForwarder.Cli.Pinning;

/// <summary>
/// <c>vfwdctl pin</c>: upstream's virtioforwarder_core_pinner.py (docs/control-contract.md §7.3).
/// On the wire: stats {include_inactive=false}, GET_EAL_CORES, then, with --virtio-cpu, one
/// UPDATE holding every mapping and the same stats request again.
/// </summary>
internal static class PinCommand
{
    public static Command Create()
    {
        var statsEndpoint = Endpoints.StatsOption();
        var schedEndpoint = Endpoints.CoreSchedOption();
        var virtioCpu = new Option<string[]>("--virtio-cpu")
        {
            Description = "move relay R's workers: VM to VF onto CPU1, VF to VM onto CPU2 (e.g. --virtio-cpu=0:1,2); repeatable",
            HelpName = "R:CPU1,CPU2",
            DefaultValueFactory = _ => [],
        };
        var printMap = new Option<bool>("--print-core-map") { Description = "only print the current core map" };
        var command = new Command("pin", "show or change which worker CPUs serve each active relay")
        {
            statsEndpoint, schedEndpoint, virtioCpu, printMap,
        };
        CommandAction.Set(command, result => Run(
            result.GetValue(statsEndpoint)!, result.GetValue(schedEndpoint)!,
            result.GetValue(printMap) ? [] : result.GetValue(virtioCpu)!.Select(VirtioCpuMapping.Parse).ToList()));
        return command;
    }

    private static int Run(string statsEndpoint, string schedEndpoint, IReadOnlyList<RelayCPU> mappings)
    {
        var statsRequest = new StatsRequest { IncludeInactive = false };
        using var stats = new ServiceClient(statsEndpoint);
        using var sched = new ServiceClient(schedEndpoint);
        var relays = stats.Request(statsRequest, StatsResponse.Parser);
        var cores = sched.Request(new CoreSchedRequest { Op = CoreSchedRequest.Types.Op.GetEalCores }, CoreSchedResponse.Parser).EalCores;

        if (mappings.Count == 0)
        {
            Print("Worker cores affinities:", relays, cores);
            return 0;
        }
        foreach (var mapping in mappings)
        {
            Console.WriteLine($"Setting relay {mapping.RelayNumber}={mapping.Virtio2VfCpu},{mapping.Vf2VirtioCpu}");
            WarnIfNotWorker(mapping.Virtio2VfCpu, cores);
            WarnIfNotWorker(mapping.Vf2VirtioCpu, cores);
        }
        var update = new CoreSchedRequest { Op = CoreSchedRequest.Types.Op.Update };
        update.RelayCpuMap.AddRange(mappings);
        bool ok = sched.Request(update, CoreSchedResponse.Parser).Status == CoreSchedResponse.Types.Status.Ok;
        Console.WriteLine($"Scheduler response: {(ok ? "OK" : "ERROR")}");
        Print("New worker core mapping:", stats.Request(statsRequest, StatsResponse.Parser), cores);
        return ok ? 0 : 1;
    }

    // The daemon accepts such a move and ignores it (§5); say so rather than leave the operator guessing.
    private static void WarnIfNotWorker(int cpu, IReadOnlyCollection<uint> cores)
    {
        if (cpu < 0 || !cores.Contains((uint)cpu))
            Console.Error.WriteLine($"vfwdctl: warning: CPU {cpu} is not a worker core ({string.Join(",", cores)}); the daemon will not move there");
    }

    private static void Print(string title, StatsResponse relays, IReadOnlyList<uint> cores)
    {
        Console.WriteLine(title);
        foreach (string line in CoreMapTable.Lines(relays.Relay, cores))
            Console.WriteLine(line);
    }
}
