using System.Net.Sockets;
using System.Text;
using VirtioForwarder.Daemon.Tests.Packaging;

namespace VirtioForwarder.Daemon.Tests.Systemd;

/// <summary>
/// What systemd listens on for a Type=notify service: an AF_UNIX datagram socket, either a file
/// or an abstract name. <see cref="Name"/> is the value for $NOTIFY_SOCKET.
/// </summary>
public sealed class NotifyListener : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly string? _file;

    private NotifyListener(string name, string? file)
    {
        Name = name;
        _file = file;
    }

    /// <summary>$NOTIFY_SOCKET for this listener: a path, or '@' and an abstract name.</summary>
    public string Name { get; }

    public static NotifyListener AtPath(string path)
    {
        var listener = new NotifyListener(path, path);
        listener._socket.Bind(new UnixDomainSocketEndPoint(path));
        return listener;
    }

    public static NotifyListener Abstract()
    {
        string name = "vfwd-notify-test-" + Guid.NewGuid().ToString("N")[..12];
        var listener = new NotifyListener("@" + name, null);
        listener._socket.Bind(new UnixDomainSocketEndPoint("\0" + name));
        return listener;
    }

    /// <summary>Generous: up to eight builds and test runs share two CPUs.</summary>
    private static readonly TimeSpan ReadyLimit = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan StopLimit = TimeSpan.FromSeconds(30);

    /// <summary>Waits for READY=1 from <paramref name="service"/>.</summary>
    public void AssertReady(RunningProgram service) =>
        Assert.True(Receive(ReadyLimit) == SystemdNotify.Ready, $"no READY=1 within {ReadyLimit}: {service.Output}");

    /// <summary>Sends SIGTERM, as "systemctl stop" does, then waits for STOPPING=1 and exit status 0.</summary>
    public void AssertStopsCleanly(RunningProgram service)
    {
        service.Terminate();
        string? message = Receive(StopLimit);
        int exitCode = service.WaitForExit(StopLimit);
        Assert.True(message == SystemdNotify.Stopping && exitCode == 0, $"got {message ?? "nothing"}, exit {exitCode}: {service.Output}");
    }

    /// <summary>The next datagram's text, or null when none arrives within <paramref name="timeout"/>.</summary>
    public string? Receive(TimeSpan timeout)
    {
        if (!_socket.Poll(timeout, SelectMode.SelectRead)) return null;
        var buffer = new byte[4096];
        int length = _socket.Receive(buffer);
        return Encoding.UTF8.GetString(buffer, 0, length);
    }

    public void Dispose()
    {
        _socket.Dispose();
        if (_file is not null) File.Delete(_file);
    }
}
