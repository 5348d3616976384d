namespace VirtioForwarder.EndToEnd.Tests.Harness;

/// <summary>
/// A fresh folder for one test's sockets and logs, deleted on Dispose. It sits under /tmp with
/// a short name because vhost-user socket paths must fit in sockaddr_un (108 bytes).
/// </summary>
public sealed class TestWorkDir : IDisposable
{
    public TestWorkDir()
    {
        Path = System.IO.Path.Combine("/tmp", UniqueName.New());
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>The path of <paramref name="fileName"/> inside this folder.</summary>
    public string File(string fileName) => System.IO.Path.Combine(Path, fileName);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
