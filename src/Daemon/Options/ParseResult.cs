using VirtioForwarder.Ports.Netdev;

namespace VirtioForwarder.Daemon.Options;

/// <summary>What the command line asks the daemon to do.</summary>
public enum ParseOutcome
{
    /// <summary>Start with <see cref="ParseResult.Options"/>.</summary>
    Run,

    /// <summary><c>-v</c>: print <see cref="ParseResult.Message"/> on stdout and exit 0.</summary>
    ShowVersion,

    /// <summary>Print <see cref="ParseResult.Message"/> and the usage on stderr and exit 1.</summary>
    Fail,
}

/// <summary>The outcome of <see cref="DaemonOptionsParser.Parse"/>, with the exit code the contract gives it (§8).</summary>
public sealed record ParseResult(ParseOutcome Outcome, DaemonOptions? Options, string Message, string Usage)
{
    public const int FailureExitCode = 1;

    /// <summary>The process exit code for <see cref="ParseOutcome.ShowVersion"/> and <see cref="ParseOutcome.Fail"/>.</summary>
    public int ExitCode => Outcome == ParseOutcome.Fail ? FailureExitCode : 0;

    public static ParseResult Run(DaemonOptions options) => new(ParseOutcome.Run, options, "", "");

    public static ParseResult Version(string banner) => new(ParseOutcome.ShowVersion, null, banner, "");

    public static ParseResult Fail(string error, string usage) => new(ParseOutcome.Fail, null, error, usage);

    /// <summary>Prints what this outcome prints: the banner on stdout, or the error and usage on stderr; nothing for Run.</summary>
    public void WriteTo(TextWriter stdout, TextWriter stderr)
    {
        if (Outcome == ParseOutcome.ShowVersion)
            stdout.WriteLine(Message);
        else if (Outcome == ParseOutcome.Fail)
            stderr.Write(Message + "\n" + Usage);
    }
}

/// <summary>
/// What the parser reads from outside the command line. Tests pass their own instead of changing
/// the process environment.
/// </summary>
/// <param name="SysfsRoot">Where <c>bus/pci/devices/&lt;PCI&gt;</c> is looked up for <c>-P</c>.</param>
public sealed record ParserEnvironment(string SysfsRoot)
{
    public const string SysfsRootVariable = NetdevLocator.SysfsRootVariable;

    /// <summary><c>$VIRTIOFWD_SYSFS_ROOT</c>, or <c>/sys</c> when it is unset or empty.</summary>
    public static ParserEnvironment FromProcess() => new(NetdevLocator.SysfsRootFromEnvironment());
}
