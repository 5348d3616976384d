using System.Net.Sockets;
using System.Text.Json;
using VirtioForwarder.Control.LegacyPorts;
using VirtioForwarder.Platform;

namespace VirtioForwarder.Control.Ovsdb;

/// <summary>
/// The OVSDB monitor of upstream's default port control (contract §8.4: neither -Z nor -I): watches
/// the Open_vSwitch Interface table through ovsdb-server's unix socket (-O) and turns rows into
/// conditional adds and removes. Upstream runs <c>ovsdb-client monitor</c> as a child process and
/// parses its CSV; this speaks RFC 7047 JSON-RPC itself, so there is no child to find, kill or clean
/// up after, and no CSV quoting to undo. It waits for the server while there is none and reconnects
/// whenever the connection breaks; the first reply after each connection resynchronises the rows.
/// </summary>
public sealed class OvsdbMonitor : IDisposable
{
    public static readonly TimeSpan DefaultRetry = TimeSpan.FromSeconds(2);

    private readonly string _path;
    private readonly TimeSpan _retry;
    private readonly OvsdbSession _session;
    private readonly ManualResetEventSlim _stop = new();
    private readonly Lock _lock = new();
    private readonly Thread _thread;
    private Socket? _socket;
    private string? _lastProblem;

    public OvsdbMonitor(string socketPath, Action<PortChange> apply, TimeSpan? retry = null)
    {
        _path = socketPath;
        _retry = retry ?? DefaultRetry;
        _session = new OvsdbSession(new InterfaceTable(), apply);
        _thread = new Thread(Run) { Name = "ovsdb", IsBackground = true };
        _thread.Start();
    }

    private volatile bool _connected;

    /// <summary>True while a connection is up and its monitor was accepted.</summary>
    public bool Connected => _connected;

    private void Run()
    {
        while (!_stop.IsSet)
        {
            try { Session(); }
            // InvalidOperationException: a JsonElement of an unexpected kind that slipped past the checks.
            catch (Exception e) when (e is SocketException or IOException or JsonException or OvsdbException
                                          or ObjectDisposedException or InvalidOperationException)
            {
                Report(e.Message);
            }
            finally
            {
                _connected = false;
                lock (_lock) { _socket?.Dispose(); _socket = null; }
            }
            _stop.Wait(_retry);
        }
    }

    private void Session()
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        lock (_lock)
        {
            if (_stop.IsSet) { socket.Dispose(); return; }
            _socket = socket;
        }
        socket.Connect(new UnixDomainSocketEndPoint(_path));
        if (_stop.IsSet) return;
        socket.Send(OvsdbMessages.Monitor());
        var framer = new JsonStreamFramer();
        var buffer = new byte[64 * 1024];
        while (true)
        {
            int n = socket.Receive(buffer);
            if (n == 0) throw new IOException("ovsdb-server closed the connection");
            framer.Append(buffer.AsSpan(0, n));
            while (framer.TryTake() is { } message)
                using (message)
                {
                    if (_session.Handle(message.RootElement) is { } reply) socket.Send(reply);
                    if (!Connected && IsMonitorReply(message.RootElement)) OnConnected();
                }
        }
    }

    private static bool IsMonitorReply(JsonElement message) => !message.TryGetProperty("method", out _);

    private void OnConnected()
    {
        _connected = true;
        _lastProblem = null;
        Log.Notice($"OVSDB monitor: watching Interface rows through {_path}");
    }

    // A missing server is the normal state of a daemon started without OVS: say it once, then quietly retry.
    private void Report(string problem)
    {
        if (_stop.IsSet) return;
        if (problem == _lastProblem)
        {
            Log.Debug($"OVSDB monitor: {_path}: {problem}");
            return;
        }
        if (Connected)
            Log.Warning($"OVSDB monitor: connection to {_path} lost: {problem}; reconnecting every {_retry.TotalSeconds} s");
        else
            Log.Info($"OVSDB monitor: no ovsdb-server at {_path} ({problem}); retrying every {_retry.TotalSeconds} s");
        _lastProblem = problem;
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _stop.Set();
            // Unblocks Receive; the thread then sees the stop and ends.
            try { _socket?.Shutdown(SocketShutdown.Both); } catch (SocketException) { }
        }
        _thread.Join(TimeSpan.FromSeconds(2));
    }
}
