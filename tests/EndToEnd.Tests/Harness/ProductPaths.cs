namespace VirtioForwarder.EndToEnd.Tests.Harness;

/// <summary>Where ./build publishes the product the tests drive.</summary>
public static class ProductPaths
{
    /// <summary>
    /// The daemon; VFWD_TEST_DAEMON names another build of it, such as the Native AOT or ReadyToRun
    /// one ./bench runtime publishes (out/runtime/aot/virtio-forwarder, relative to the repository), to
    /// run the tests against.
    /// </summary>
    public static string Daemon => Environment.GetEnvironmentVariable("VFWD_TEST_DAEMON") is { Length: > 0 } other
        ? Path.GetFullPath(other, RepositoryRoot())
        : Path.Combine(RepositoryRoot(), "out", "bin", "virtio-forwarder");

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
