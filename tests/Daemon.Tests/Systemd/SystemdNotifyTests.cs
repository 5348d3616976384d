using VirtioForwarder.Daemon.Tests.Options;

namespace VirtioForwarder.Daemon.Tests.Systemd;

public sealed class SystemdNotifyTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly TempDirectory _temp = new();

    [Fact]
    public void SendsToASocketFile()
    {
        using var listener = NotifyListener.AtPath(Path.Combine(_temp.Path, "notify"));
        Assert.True(SystemdNotify.Send(SystemdNotify.Ready, listener.Name));
        Assert.Equal("READY=1", listener.Receive(Wait));
    }

    [Fact]
    public void SendsToAnAbstractName()
    {
        using var listener = NotifyListener.Abstract();
        Assert.True(SystemdNotify.Send(SystemdNotify.Stopping, listener.Name));
        Assert.Equal("STOPPING=1", listener.Receive(Wait));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("vsock:2:1234")]
    [InlineData("relative/notify")]
    public void NothingIsSentWithoutAUsableSocket(string? name) => Assert.False(SystemdNotify.Send(SystemdNotify.Ready, name));

    [Fact]
    public void AMissingListenerIsNotAnError()
    {
        Assert.False(SystemdNotify.Send(SystemdNotify.Ready, Path.Combine(_temp.Path, "absent")));
        Assert.False(SystemdNotify.Send(SystemdNotify.Ready, "@vfwd-notify-test-absent-" + Guid.NewGuid().ToString("N")));
    }

    public void Dispose() => _temp.Dispose();
}
