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

    /// <summary>
    /// The arguments without any <c>--option=</c> whose value is empty: such an option means its
    /// default, as a blank variable in /etc/default/virtioforwarder does for the scripts that
    /// build these command lines (docs/control-contract.md §9.2). Left in, the parser would take
    /// the next argument as the value.
    /// </summary>
    public static string[] WithoutEmptyValues(IEnumerable<string> args) =>
        args.Where(arg => !(arg.StartsWith("--", StringComparison.Ordinal) && arg.IndexOf('=') == arg.Length - 1)).ToArray();
}
