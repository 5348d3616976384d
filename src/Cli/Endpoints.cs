using System.CommandLine;

namespace VirtioForwarder.Cli;

/// <summary>The services' default endpoints (docs/control-contract.md §1) and the options that override them (§7.0).</summary>
internal static class Endpoints
{
    public const string PortControl = "ipc:///var/run/virtio-forwarder/port_control";
    public const string Stats = "ipc:///var/run/virtio-forwarder/stats";
    public const string CoreSched = "ipc:///var/run/virtio-forwarder/core_sched";
    public const string Config = "ipc:///var/run/virtio-forwarder/config";

    public static Option<string> StatsOption() => Create("--stats-ep", Stats, "ZeroMQ statistics endpoint");

    public static Option<string> CoreSchedOption() => Create("--sched-ep", CoreSched, "ZeroMQ core scheduler endpoint");

    public static Option<string> ConfigOption() => Create("--config-ep", Config, "ZeroMQ configuration endpoint");

    // Upstream's port control client spells it with an underscore; both are accepted.
    public static Option<string> PortControlOption() => Create("--zmq-ep", PortControl, "ZeroMQ port control endpoint", "--zmq_ep");

    private static Option<string> Create(string name, string defaultEndpoint, string description, params string[] aliases) =>
        new(name, aliases)
        {
            Description = description,
            DefaultValueFactory = _ => defaultEndpoint,
        };
}
