namespace VirtioForwarder.Control.Tests.Zmq;

// An ipc:// endpoint in a directory of its own, removed with everything in it on Dispose.
internal sealed class IpcEndpoint : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("vfwd-zmq-").FullName;

    public string Name => For("port_control");

    /// <summary>Another endpoint in the same directory.</summary>
    public string For(string service) => $"ipc://{_directory}/{service}";

    public string PathOf(string service) => $"{_directory}/{service}";

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
