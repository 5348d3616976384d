using VirtioForwarder.Daemon.Options;

namespace VirtioForwarder.Daemon.Tests.Packaging;

/// <summary>
/// Runs packaging/libexec/vio4wd-start.sh under real bash with the shipped config plus overrides,
/// the daemon replaced by <see cref="ArgvRecorder"/>, and hands the recorded command line to the
/// daemon's own option parser.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public abstract class StartScriptTestBase : IDisposable
{
    protected const string Pci = "0000:05:08.1";

    private readonly ServiceConfig _config = new();
    private readonly string _recorder;
    private readonly string _sysfs;

    protected StartScriptTestBase()
    {
        _recorder = ArgvRecorder.Create(_config.Temp.Path);
        _config.Temp.Create("sys/bus/pci/devices/" + Pci);
        _sysfs = Path.Combine(_config.Temp.Path, "sys");
        PidDirectory = _config.Temp.Create("run");
    }

    /// <summary>Where the script runs.</summary>
    protected string WorkingDirectory => _config.Temp.Path;

    /// <summary>An existing directory for settings the parser checks (-p, -H).</summary>
    protected string PidDirectory { get; }

    /// <summary>Runs the start script, which must succeed; returns the daemon's arguments.</summary>
    protected string[] StartArgs(params string[] overrides)
    {
        ProgramResult result = RunStart(overrides);
        Assert.True(result.ExitCode == 0, result.ToString());
        return ArgvRecorder.Read(result.Stdout);
    }

    protected ProgramResult RunStart(string[] overrides, params string[] environment)
    {
        _config.Write([.. overrides, $"VIRTIOFWD_BINARY={_recorder}"]);
        return _config.RunScript("vio4wd-start.sh", environment);
    }

    /// <summary>Parses <paramref name="args"/> with the daemon's parser, against a sysfs holding <see cref="Pci"/>.</summary>
    protected ParseResult Parse(string[] args) => DaemonOptionsParser.Parse(args, new ParserEnvironment(_sysfs));

    /// <summary>Runs the start script and parses what it built, which must be a valid command line.</summary>
    protected DaemonOptions StartOptions(params string[] overrides)
    {
        ParseResult parsed = Parse(StartArgs(overrides));
        Assert.True(parsed.Outcome == ParseOutcome.Run, parsed.Message);
        return parsed.Options!;
    }

    public void Dispose()
    {
        _config.Dispose();
        GC.SuppressFinalize(this);
    }
}
