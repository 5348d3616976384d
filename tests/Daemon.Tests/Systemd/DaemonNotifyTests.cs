using VirtioForwarder.Daemon.Tests.Options;
using VirtioForwarder.Daemon.Tests.Packaging;

namespace VirtioForwarder.Daemon.Tests.Systemd;

/// <summary>The published daemon tells a Type=notify unit when it is ready and when it stops.</summary>
public sealed class DaemonNotifyTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    [Fact]
    public void ReadyOnceSocketsExistStoppingOnSigterm()
    {
        string dir = _temp.Path;
        using var listener = NotifyListener.Abstract();
        using var daemon = new RunningProgram(RepositoryPaths.PublishedDaemon(),
            ["-C1", "-M0", "-n", $"-p{dir}", $"-V{dir}", "-u", "-g", "--max-relays=2", $"--control-socket={dir}/vfwd.ctl", "-Pnull=0"],
            new Dictionary<string, string> { [SystemdNotify.SocketVariable] = listener.Name });

        listener.AssertReady(daemon);
        foreach (string path in new[] { $"{dir}/virtio-forwarder0.sock", $"{dir}/virtio-forwarder1.sock", $"{dir}/vfwd.ctl" })
            Assert.True(File.Exists(path), $"{path} did not exist at READY=1");
        listener.AssertStopsCleanly(daemon);
    }

    public void Dispose() => _temp.Dispose();
}
