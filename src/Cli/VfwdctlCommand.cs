using System.CommandLine;
using VirtioForwarder.Cli.Pinning;
using VirtioForwarder.Cli.PortControl;
using VirtioForwarder.Cli.Scheduling;
using VirtioForwarder.Cli.Stats;

namespace VirtioForwarder.Cli;

/// <summary>vfwdctl's command tree: upstream's Python clients (docs/control-contract.md §7) as subcommands.</summary>
internal static class VfwdctlCommand
{
    public static RootCommand Create() => new("vfwdctl: operate a running virtio-forwarder daemon over its ZeroMQ services")
    {
        PortCommand.Create(),
        StatsCommand.Create(),
        PinCommand.Create(),
        ConfigCommand.Create(),
        MonitorCommand.Create(),
        SchedCommand.Create(),
    };
}
