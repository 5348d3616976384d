using VirtioForwarder.Daemon.Options;

namespace VirtioForwarder.Daemon.Tests.Options;

/// <summary>
/// Parses command lines against a private sysfs tree holding one PCI device, <see cref="Pci"/>,
/// so that tests never touch the process environment or the real /sys.
/// </summary>
public abstract class CommandLineTestBase : IDisposable
{
    protected const string Pci = "0000:05:08.1";

    protected CommandLineTestBase() => Temp.Create("sys/bus/pci/devices/" + Pci);

    protected TempDirectory Temp { get; } = new();

    protected ParseResult Parse(params string[] args) =>
        DaemonOptionsParser.Parse(args, new ParserEnvironment(Path.Combine(Temp.Path, "sys")));

    /// <summary>Parses a command line that must succeed.</summary>
    protected DaemonOptions Ok(params string[] args)
    {
        ParseResult result = Parse(args);
        Assert.True(result.Outcome == ParseOutcome.Run, result.Message);
        Assert.Equal(0, result.ExitCode);
        return result.Options!;
    }

    /// <summary>Parses a command line that must fail with exit code 1 and usage text; returns the error.</summary>
    protected string Fail(params string[] args)
    {
        ParseResult result = Parse(args);
        Assert.Equal(ParseOutcome.Fail, result.Outcome);
        Assert.Equal(1, result.ExitCode);
        Assert.Null(result.Options);
        Assert.StartsWith("USAGE: virtio-forwarder --cpus=<val>", result.Usage);
        return result.Message;
    }

    public void Dispose()
    {
        Temp.Dispose();
        GC.SuppressFinalize(this);
    }
}
