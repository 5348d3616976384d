namespace VirtioForwarder.Daemon.Tests.Options;

/// <summary>A fresh directory under /tmp, deleted with everything in it on Dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "vfwd-opt-" + Guid.NewGuid().ToString("N")[..12]);

    public string Create(string relative) => Directory.CreateDirectory(System.IO.Path.Combine(Path, relative)).FullName;

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
