using System.CommandLine;
using Google.Protobuf;
using VirtioForwarder.Cli.Text;
using VirtioForwarder.Control.Protobuf;

namespace VirtioForwarder.Cli.Stats;

/// <summary>
/// <c>vfwdctl stats</c>. By default it is upstream's virtioforwarder_stats.py over the ZeroMQ
/// stats service (docs/control-contract.md §7.2), plus <c>--json</c> and a live <c>--watch</c>
/// table. Given <c>--control-socket</c>, it reads the daemon's local admin channel instead, which
/// also has drops by reason (<see cref="AdminStats"/>).
/// </summary>
internal static class StatsCommand
{
    private static readonly JsonFormatter Json = new(JsonFormatter.Settings.Default.WithPreserveProtoFieldNames(true));

    public static Command Create()
    {
        var controlSocket = new Option<string?>("--control-socket")
        {
            Description = "read the daemon's local admin socket (its --control-socket) instead of the ZeroMQ stats service",
        };
        var endpoint = Endpoints.StatsOption();
        var includeInactive = new Option<bool>("--include-inactive", "--all") { Description = "include relays that are not active" };
        var delay = new Option<uint>("--delay")
        {
            Description = "milliseconds over which the daemon measures the rates",
            DefaultValueFactory = _ => 200,
        };
        var format = new Option<string>("--output-format")
        {
            Description = "flat (one relay_N.field=value line per field) or protobuf (text format)",
            DefaultValueFactory = _ => "flat",
        };
        format.AcceptOnlyFromAmong("flat", "protobuf");
        var suppressZero = new Option<bool>("--suppress-zero", "-z") { Description = "flat format: leave out counters that are zero" };
        var json = new Option<bool>("--json") { Description = "print the reply as JSON (proto field names)" };
        var watch = new Option<double?>("--watch")
        {
            Description = "redraw a table of relays and their rates every SECONDS (default 1) until Ctrl-C",
            Arity = ArgumentArity.ZeroOrOne,
            HelpName = "SECONDS",
        };
        var command = new Command("stats", "show relay state, counters and rates")
        {
            controlSocket, endpoint, includeInactive, delay, format, suppressZero, json, watch,
        };
        CommandAction.Set(command, result =>
        {
            bool all = result.GetValue(includeInactive);
            if (result.GetValue(controlSocket) is string socketPath)
                return AdminStats.Run(socketPath, result.GetValue(json), all);
            var request = new StatsRequest { IncludeInactive = all, Delay = result.GetValue(delay) };
            if (result.GetResult(watch) is not null)
                return StatsWatch.Run(result.GetValue(endpoint)!, request, TimeSpan.FromSeconds(result.GetValue(watch) ?? 1));
            return Once(result.GetValue(endpoint)!, request, result.GetValue(json), result.GetValue(format)!, result.GetValue(suppressZero));
        });
        return command;
    }

    /// <summary>The stats client's timeout is 2000 ms plus the delay the daemon waits (§7.0).</summary>
    public static ServiceClient Connect(string endpoint, StatsRequest request) =>
        new(endpoint, ServiceClient.DefaultTimeoutMilliseconds + (int)Math.Min(request.Delay, int.MaxValue / 2));

    private static int Once(string endpoint, StatsRequest request, bool json, string format, bool suppressZero)
    {
        StatsResponse reply;
        using (var client = Connect(endpoint, request))
            reply = client.Request(request, StatsResponse.Parser);
        bool ok = reply.Status == StatsResponse.Types.Status.Ok;
        if (json)
            Console.WriteLine(Json.Format(reply));
        else if (format == "protobuf")
            Console.WriteLine(ProtobufText.Format(reply));
        else if (ok)
            Console.Write(FlatStats.Format(reply, suppressZero));
        if (!ok)
            throw new CliException($"StatsResponse: {reply.Status.ToString().ToUpperInvariant()}");
        return 0;
    }
}
