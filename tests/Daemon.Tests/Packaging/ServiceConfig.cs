using VirtioForwarder.Daemon.Tests.Options;

namespace VirtioForwarder.Daemon.Tests.Packaging;

/// <summary>
/// A config file made of the shipped /etc/default/virtioforwarder plus lines of bash that override
/// it (a later assignment wins, as when an operator edits the file), in a temporary directory
/// that also holds whatever the test needs around it.
/// </summary>
public sealed class ServiceConfig : IDisposable
{
    public ServiceConfig() => Path = System.IO.Path.Combine(Temp.Path, "virtioforwarder");

    public TempDirectory Temp { get; } = new();

    /// <summary>The config file.</summary>
    public string Path { get; }

    /// <summary>Writes the shipped file followed by <paramref name="overrides"/>; returns this.</summary>
    public ServiceConfig Write(params string[] overrides)
    {
        File.WriteAllText(Path, File.ReadAllText(RepositoryPaths.ShippedConfig) + "\n" + string.Join("\n", overrides) + "\n");
        return this;
    }

    /// <summary>The environment a script gets: the config file's location plus <paramref name="extra"/> (NAME=value).</summary>
    public Dictionary<string, string> Environment(params string[] extra)
    {
        var environment = new Dictionary<string, string> { ["VIRTIOFWD_CONFIG_FILE"] = Path };
        foreach (string pair in extra)
        {
            int equals = pair.IndexOf('=');
            environment[pair[..equals]] = pair[(equals + 1)..];
        }
        return environment;
    }

    /// <summary>Runs a packaging/libexec script with this config, in the temporary directory.</summary>
    public ProgramResult RunScript(string name, params string[] extraEnvironment) =>
        ProgramRun.Run(RepositoryPaths.Script(name), [], Environment(extraEnvironment), Temp.Path);

    public void Dispose() => Temp.Dispose();
}
