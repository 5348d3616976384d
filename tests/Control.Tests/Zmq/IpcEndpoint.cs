namespace VirtioForwarder.Control.Tests.Zmq;

// An ipc:// endpoint in a directory of its own, removed with everything in it on Dispose.
internal sealed class IpcEndpoint : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("vfwd-zmq-").FullName;

    public string Name => $"ipc://{_directory}/port_control";

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
