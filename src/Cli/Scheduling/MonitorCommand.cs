using System.CommandLine;
using System.Text;
using VirtioForwarder.Control.Protobuf;

namespace VirtioForwarder.Cli.Scheduling;

/// <summary>
/// <c>vfwdctl monitor</c>: upstream's virtioforwarder_monitor_load.py (docs/control-contract.md
/// §7.6): the scheduler's load estimate per worker core as a bar, redrawn every poll until Ctrl-C.
/// </summary>
internal static class MonitorCommand
{
    private const int BarWidth = 60;

    // A full bar: 15 Mpps plus 50 Gbit/s, in each direction.
    private static readonly double FullLoad = FullScale();

    public static Command Create()
    {
        var statsEndpoint = Endpoints.StatsOption();
        var schedEndpoint = Endpoints.CoreSchedOption();
        var pollInterval = new Option<double>("--poll-interval") { Description = "seconds between redraws", DefaultValueFactory = _ => 2 };
        var command = new Command("monitor", "show each worker core's estimated load until Ctrl-C") { statsEndpoint, schedEndpoint, pollInterval };
        CommandAction.Set(command, result =>
        {
            double seconds = result.GetValue(pollInterval);
            if (!(seconds > 0) || double.IsInfinity(seconds))
                throw new CliException("--poll-interval must be a positive number of seconds");
            return Run(result.GetValue(statsEndpoint)!, result.GetValue(schedEndpoint)!, TimeSpan.FromSeconds(seconds));
        });
        return command;
    }

    /// <summary>The screen for one poll: "CPU loads", then "CPUn: " and a bar per worker core.</summary>
    public static string Render(IEnumerable<RelayState> relays, IReadOnlyList<uint> cores)
    {
        var loads = cores.Distinct().ToDictionary(core => core, _ => 0.0);
        foreach (RelayState relay in relays)
        {
            var load = RelayLoad.Estimate(relay);
            if (relay.Cpu is { HasVmToVf: true } && loads.ContainsKey((uint)relay.Cpu.VmToVf))
                loads[(uint)relay.Cpu.VmToVf] += load.VmToVf;
            if (relay.Cpu is { HasVfToVm: true } && loads.ContainsKey((uint)relay.Cpu.VfToVm))
                loads[(uint)relay.Cpu.VfToVm] += load.VfToVm;
        }
        var screen = new StringBuilder("CPU loads\n");
        foreach (var (core, load) in loads)
            screen.Append($"CPU{core}: ").Append('-', (int)Math.Round(load / FullLoad * BarWidth)).Append('\n');
        return screen.ToString();
    }

    private static int Run(string statsEndpoint, string schedEndpoint, TimeSpan interval)
    {
        var statsQuery = new StatsRequest { IncludeInactive = false, Delay = 200 };
        using var stop = new StopSignal();
        using var log = SchedLog.ToConsole(Console.Error, SchedLog.Error);
        using var stats = new PersistentService(Stats.StatsCommand.Connect(statsEndpoint, statsQuery), "stats", log, stop, interval);
        using var sched = new PersistentService(new ServiceClient(schedEndpoint), "core scheduler", log, stop, interval);
        var coresQuery = new CoreSchedRequest { Op = CoreSchedRequest.Types.Op.GetEalCores };
        IReadOnlyList<uint> cores = [];
        bool needCores = true;
        while (!stop.Requested)
        {
            if (stats.Request(statsQuery, StatsResponse.Parser) is not (var reply, var reconnected))
                break;
            if (needCores || reconnected)
            {
                if (sched.Request(coresQuery, CoreSchedResponse.Parser) is not (var coresReply, _))
                    break;
                cores = coresReply.EalCores;
                needCores = false;
            }
            // Home the cursor and clear the screen, as upstream's os.system('clear').
            Console.Write("\u001b[H\u001b[2J" + Render(reply.Relay, cores));
            if (stop.Wait(interval))
                break;
        }
        return 0;
    }

    private static double FullScale()
    {
        const double pps = 15e6, bytesPerSecond = 50e3 / 8 * 1e6;
        // Upstream feeds the maximum into all four rates of a direction: rx + tx = 2 × each.
        var full = RelayLoad.FromRates(0, 2 * pps, 2 * bytesPerSecond, 2 * pps, 2 * bytesPerSecond);
        return full.VmToVf + full.VfToVm;
    }
}
