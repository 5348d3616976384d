using VirtioForwarder.Cli.Pinning;
using VirtioForwarder.Control.Protobuf;

namespace VirtioForwarder.Cli.Scheduling;

internal sealed record SchedOptions(
    string StatsEndpoint, string SchedEndpoint, TimeSpan PollInterval, double Sensitivity, bool GlobalNumaOpt);

/// <summary>
/// Upstream's virtioforwarder_core_scheduler.py (docs/control-contract.md §7.5): every poll it
/// reads the active relays' rates, and for each NUMA node whose greedy reassignment beats the
/// current spread of load by more than the sensitivity it sends a full UPDATE for that node.
/// </summary>
internal sealed class CoreScheduler(SchedOptions options, SchedLog log, StopSignal stop)
{
    // The rates describe the request's own delay window (§4.1); upstream's scheduler uses 200 ms.
    private static readonly StatsRequest StatsQuery = new() { IncludeInactive = false, Delay = 200 };
    private static readonly CoreSchedRequest EalCoresQuery = new() { Op = CoreSchedRequest.Types.Op.GetEalCores };

    public int Run()
    {
        log.Write(SchedLog.Notice, "Dynamic load balancing initiated...");
        log.Write(SchedLog.Info, $"Polling every {options.PollInterval.TotalSeconds:0.00} seconds.");
        log.Write(SchedLog.Info, $"Connecting to stats server on {options.StatsEndpoint}...");
        using var stats = new PersistentService(
            Stats.StatsCommand.Connect(options.StatsEndpoint, StatsQuery), "stats", log, stop, options.PollInterval);
        if (stats.Request(StatsQuery, StatsResponse.Parser) is not (var relays, _))
            return Stopped();
        log.Write(SchedLog.Info, $"Connecting to core_scheduler server on {options.SchedEndpoint}...");
        using var sched = new PersistentService(new ServiceClient(options.SchedEndpoint), "core scheduler", log, stop, options.PollInterval);
        if (EalCores(sched, "Worker cores at startup:", relays) is not { } cores)
            return Stopped();
        var nodes = NumaTopology.Read();

        while (!stop.Requested)
        {
            if (stats.Request(StatsQuery, StatsResponse.Parser) is not (var reply, var reconnected))
                break;
            if (reconnected && EalCores(sched, "Worker cores upon reconnection:", reply) is { } newCores)
                cores = newCores;
            if (reply.Relay.Count > 0 && Balance(reply, cores, nodes, sched.Client))
                LogNewMapping(stats.Client, cores);
            if (stop.Wait(options.PollInterval))
                break;
        }
        return Stopped();
    }

    private IReadOnlyList<uint>? EalCores(PersistentService sched, string title, StatsResponse relays)
    {
        if (sched.Request(EalCoresQuery, CoreSchedResponse.Parser) is not (var reply, _))
            return null;
        if (reply.Status != CoreSchedResponse.Types.Status.Ok)
            log.Write(SchedLog.Error, $"The daemon reported no worker cores (error {reply.ErrorCode} from {reply.ErrorCodeSource})");
        LogTable(title, relays, reply.EalCores);
        return reply.EalCores;
    }

    /// <summary>One balancing pass over every group; true if an UPDATE was accepted.</summary>
    private bool Balance(StatsResponse reply, IReadOnlyList<uint> cores, IReadOnlyDictionary<int, IReadOnlySet<uint>> nodes, ServiceClient sched)
    {
        bool changed = false;
        var groups = BalanceGroup.Build(reply.Relay, nodes, cores, options.GlobalNumaOpt, relay => log.Write(SchedLog.Warning,
            $"{relay.SocketId} is not a valid socket id! Relay {relay.Id} will not form part of the optimization."));
        foreach (var group in groups)
        {
            var (mappings, newCoV) = LoadBalancer.Assign(group.Loads, group.Workers);
            double currentCoV = LoadBalancer.CurrentCoV(group.Current, group.Loads, group.Workers);
            if (newCoV == LoadBalancer.NoLoad)
                continue;
            if (!LoadBalancer.WorthMoving(newCoV, currentCoV, options.Sensitivity))
            {
                log.Write(SchedLog.Info, "Worker cores still sufficiently balanced.");
                continue;
            }
            log.Write(SchedLog.Info, $"Migrating workers on NUMA {group.Node}...");
            var update = new CoreSchedRequest { Op = CoreSchedRequest.Types.Op.Update };
            update.RelayCpuMap.AddRange(mappings);
            changed |= Update(sched, update, group.Node);
        }
        return changed;
    }

    // No retrying here (as upstream): the next poll judges the load again.
    private bool Update(ServiceClient sched, CoreSchedRequest update, int node)
    {
        try
        {
            bool ok = sched.Request(update, CoreSchedResponse.Parser).Status == CoreSchedResponse.Types.Status.Ok;
            log.Write(ok ? SchedLog.Info : SchedLog.Error, $"Scheduler response: {(ok ? "OK" : "ERROR")}");
            return ok;
        }
        catch (ServiceTimeoutException)
        {
            log.Write(SchedLog.Error, $"Connection to server lost. Could not migrate workers on NUMA {node}.");
            sched.Reconnect();
            return false;
        }
    }

    private void LogNewMapping(ServiceClient stats, IReadOnlyList<uint> cores)
    {
        try
        {
            LogTable("New worker core mapping:", stats.Request(StatsQuery, StatsResponse.Parser), cores);
        }
        catch (ServiceTimeoutException)
        {
            stats.Reconnect();
        }
    }

    private void LogTable(string title, StatsResponse relays, IReadOnlyList<uint> cores)
    {
        log.Write(SchedLog.Debug, title);
        foreach (string line in CoreMapTable.Lines(relays.Relay, cores))
            log.Write(SchedLog.Debug, line);
    }

    private int Stopped()
    {
        log.Write(SchedLog.Notice, "Stopping vio4wd_core_scheduler");
        return 0;
    }
}
