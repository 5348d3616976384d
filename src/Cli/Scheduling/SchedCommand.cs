using System.CommandLine;

namespace VirtioForwarder.Cli.Scheduling;

/// <summary>
/// <c>vfwdctl sched</c>: the core scheduler daemon, upstream's
/// virtioforwarder_core_scheduler.py with its options and defaults (docs/control-contract.md
/// §7.5), plus <c>-n/--foreground</c> to log on stdout instead of syslog.
/// </summary>
internal static class SchedCommand
{
    private const double DefaultSensitivity = 0.25;
    private const double DefaultPollSeconds = 5;

    public static Command Create()
    {
        var statsEndpoint = Endpoints.StatsOption();
        var schedEndpoint = Endpoints.CoreSchedOption();
        var pollInterval = new Option<double>("--poll-interval")
        {
            Description = "seconds between balancing passes",
            DefaultValueFactory = _ => DefaultPollSeconds,
        };
        var logLevel = new Option<int>("--loglevel") { Description = "syslog level, 1 (alert) to 7 (debug)", DefaultValueFactory = _ => 7 };
        var sensitivity = new Option<double>("--sensitivity")
        {
            Description = "how much better (in coefficient of variation) a new assignment must be; smaller is more sensitive",
            DefaultValueFactory = _ => DefaultSensitivity,
        };
        var global = new Option<bool>("--global-numa-opt") { Description = "balance across NUMA nodes instead of within each" };
        var foreground = new Option<bool>("--foreground", "-n") { Description = "log to stdout instead of syslog" };
        var command = new Command("sched", "balance relay workers across the worker cores by measured load, until SIGINT/SIGTERM")
        {
            statsEndpoint, schedEndpoint, pollInterval, logLevel, sensitivity, global, foreground,
        };
        CommandAction.Set(command, result =>
        {
            using var log = result.GetValue(foreground) ? SchedLog.ToConsole(Console.Out) : SchedLog.ToSyslog();
            var options = new SchedOptions(
                result.GetValue(statsEndpoint)!, result.GetValue(schedEndpoint)!,
                TimeSpan.FromSeconds(PollSeconds(result.GetValue(pollInterval))),
                Sensitivity(result.GetValue(sensitivity), log), result.GetValue(global));
            log.Threshold = LogLevel(result.GetValue(logLevel), log);
            using var stop = new StopSignal();
            return new CoreScheduler(options, log, stop).Run();
        });
        return command;
    }

    // Upstream: 0 (falsy) means the default; anything outside 0-7 becomes 7 with a warning.
    private static int LogLevel(int level, SchedLog log)
    {
        if (level is >= 1 and <= 7)
            return level;
        if (level != 0)
            log.Write(SchedLog.Warning, $"Specified invalid loglevel. Defaulting to {SchedLog.Debug}");
        return SchedLog.Debug;
    }

    private static double Sensitivity(double sensitivity, SchedLog log)
    {
        if (sensitivity >= 0)
            return sensitivity;
        log.Write(SchedLog.Warning, $"Specified invalid sensitivity. Defaulting to {DefaultSensitivity:0.000000}");
        return DefaultSensitivity;
    }

    private static double PollSeconds(double seconds) => seconds switch
    {
        0 => DefaultPollSeconds,
        < 0 or double.NaN or double.PositiveInfinity => throw new CliException("--poll-interval must be a positive number of seconds"),
        _ => seconds,
    };
}
