namespace VirtioForwarder.EndToEnd.Tests.Harness;

/// <summary>Where ./build publishes the product the tests drive.</summary>
public static class ProductPaths
{
    public static string Daemon => Path.Combine(RepositoryRoot(), "out", "bin", "virtio-forwarder");

    public static string Vfwdctl => Path.Combine(RepositoryRoot(), "out", "bin", "vfwdctl");

    // The test assembly runs from tests/EndToEnd.Tests/bin/<configuration>/<framework>/.
    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Directory.Build.props")))
                return dir.FullName;
        throw new InvalidOperationException($"no Directory.Build.props above {AppContext.BaseDirectory}");
    }
}
