using VirtioForwarder.Platform;
using VirtioForwarder.Protocol;

namespace VirtioForwarder.Device;

/// <summary>
/// One vhost-user socket path and the frontend connected to it. Server mode listens (replacing a
/// stale socket file left by a crash) and serves one frontend at a time; client mode connects and
/// reconnects every second after the peer goes away, for as long as the socket exists. Each
/// connection gets a fresh <see cref="VhostUserNetDevice"/>; a protocol error or a malformed ring
/// ends that connection only. Everything here runs on the control <see cref="EventLoop"/>.
/// </summary>
public sealed class VhostUserSocket : IDisposable
{
    private static readonly TimeSpan ReconnectInterval = TimeSpan.FromSeconds(1);

    private readonly EventLoop _loop;
    private readonly DeviceOptions _options;
    private readonly SocketOwnership _ownership;
    private int _listenFd = -1;
    private Session? _session;
    private bool _closed;
    private bool _warnedUnreachable;

    public VhostUserSocket(string path, SocketMode mode, EventLoop loop, DeviceOptions options, SocketOwnership ownership)
    {
        Path = path;
        Mode = mode;
        _loop = loop;
        _options = options;
        _ownership = ownership;
    }

    public string Path { get; }
    public SocketMode Mode { get; }

    /// <summary>A frontend connected: its device is new and has no live queues yet.</summary>
    public event Action<VhostUserNetDevice>? Connected;
    /// <summary>The frontend went away; the device is disposed right after this returns.</summary>
    public event Action<VhostUserNetDevice>? Disconnected;

    /// <summary>Listens or starts connecting. Throws if a server socket cannot be created (fatal at startup).</summary>
    public void Open()
    {
        if (Mode == SocketMode.Client) { TryConnect(); return; }
        if (File.Exists(Path) || Directory.Exists(Path))
        {
            if (!FileType.IsSocket(Path)) throw new IOException($"{Path} exists and is not a socket");
            File.Delete(Path); // stale socket from a crashed run
        }
        _listenFd = UnixSocket.Listen(Path);
        if (_ownership.Uid is not null || _ownership.Gid is not null)
            Errno.Check(Libc.Chown(Path, _ownership.Uid ?? -1, _ownership.Gid ?? -1), $"chown({Path})");
        _loop.Add(_listenFd, Accept);
        Log.Info($"listening on {Path}");
    }

    private void Accept()
    {
        int fd = UnixSocket.Accept(_listenFd);
        if (fd < 0) return;
        if (_session is not null)
        {
            Log.Warning($"{Path}: refusing a second frontend while one is connected");
            Libc.Close(fd);
            return;
        }
        Begin(fd);
    }

    private void TryConnect()
    {
        if (_closed || _session is not null) return;
        int fd = UnixSocket.TryConnect(Path, out int errno);
        if (fd < 0)
        {
            if (!_warnedUnreachable) Log.Info($"{Path}: cannot connect ({Errno.Describe(errno)}), retrying every second");
            _warnedUnreachable = true;
            _loop.After(ReconnectInterval, TryConnect);
            return;
        }
        _warnedUnreachable = false;
        Begin(fd);
    }

    private void Begin(int fd)
    {
        var device = new VhostUserNetDevice(Path, _options);
        var session = new Session(new Connection(fd), device);
        _session = session;
        device.Broken += (_, reason) => _loop.Post(() => End(session, $"malformed ring: {reason}", failed: true));
        _loop.Add(fd, () => OnReadable(session));
        Log.Info($"{Path}: frontend connected");
        Connected?.Invoke(device);
    }

    private void OnReadable(Session session)
    {
        try
        {
            if (!session.Connection.Receive(session.Message)) { End(session, "frontend disconnected", failed: false); return; }
            session.Dispatcher.Dispatch(session.Message);
        }
        catch (ProtocolException e)
        {
            End(session, e.Message, failed: true);
        }
    }

    /// <summary>Ends a connection and resets its device; in client mode a reconnect follows.</summary>
    private void End(Session session, string why, bool failed)
    {
        if (_session != session) return; // already ended
        _session = null;
        _loop.Remove(session.Connection.Fd);
        if (failed) Log.Error($"{Path}: {why}; resetting the device");
        else Log.Info($"{Path}: {why}");
        Disconnected?.Invoke(session.Device);
        session.Device.Dispose();
        session.Connection.Dispose();
        if (Mode == SocketMode.Client && !_closed) _loop.After(ReconnectInterval, TryConnect);
    }

    /// <summary>Drops the frontend and stops listening; removes the socket file this daemon created.</summary>
    public void Dispose()
    {
        if (_closed) return;
        _closed = true;
        if (_session is { } s) End(s, "socket removed", failed: false);
        if (_listenFd >= 0)
        {
            _loop.Remove(_listenFd);
            Libc.Close(_listenFd);
            _listenFd = -1;
            try { File.Delete(Path); } catch (IOException) { }
        }
    }

    private sealed class Session(Connection connection, VhostUserNetDevice device)
    {
        public Connection Connection { get; } = connection;
        public VhostUserNetDevice Device { get; } = device;
        public ReceivedMessage Message { get; } = new();
        public RequestDispatcher Dispatcher { get; } = new(device, connection);
    }
}
