namespace VirtioForwarder.Daemon.Tests.Packaging;

/// <summary>The checkout's packaging/ files and ./build's published programs (out/bin).</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string Packaging => Path.Combine(Root, "packaging");

    public static string ShippedConfig => Path.Combine(Packaging, "default", "virtioforwarder");

    public static string Script(string name) => Path.Combine(Packaging, "libexec", name);

    public static string Unit(string name) => Path.Combine(Packaging, "systemd", name);

    public static string Installer => Path.Combine(Packaging, "install");

    public static string PublishedBin => Path.Combine(Root, "out", "bin");

    /// <summary>The published daemon; fails the test with a hint when ./build has not run.</summary>
    public static string PublishedDaemon()
    {
        string daemon = Path.Combine(PublishedBin, "virtio-forwarder");
        Assert.True(File.Exists(daemon), $"{daemon} is missing: run ./build first");
        return daemon;
    }

    // The test assembly runs from tests/Daemon.Tests/bin/<configuration>/<framework>/.
    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Directory.Build.props")))
                return dir.FullName;
        throw new InvalidOperationException($"no Directory.Build.props above {AppContext.BaseDirectory}");
    }
}
