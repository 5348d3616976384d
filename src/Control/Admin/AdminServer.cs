using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using VirtioForwarder.Platform;
using VirtioForwarder.Relay;

namespace VirtioForwarder.Control.Admin;

/// <summary>Answers admin requests on a Unix socket, one client at a time, on its own thread.</summary>
public sealed class AdminServer : IDisposable
{
    private readonly Socket _listener;
    private readonly Func<IReadOnlyList<RelaySnapshot>> _stats;
    private readonly Func<IReadOnlyList<WorkerLoad>> _workers;
    private readonly Thread _thread;

    public AdminServer(string path, Func<IReadOnlyList<RelaySnapshot>> stats, Func<IReadOnlyList<WorkerLoad>>? workers = null)
    {
        Path = path;
        _stats = stats;
        _workers = workers ?? (() => []);
        if (FileType.IsSocket(path)) File.Delete(path);
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(path));
        _listener.Listen(8);
        _thread = new Thread(Serve) { Name = "admin", IsBackground = true };
        _thread.Start();
    }

    public string Path { get; }

    private void Serve()
    {
        while (true)
        {
            Socket client;
            try { client = _listener.Accept(); }
            catch (Exception e) when (e is SocketException or ObjectDisposedException) { return; }
            using (client)
            {
                try { Answer(client); }
                catch (Exception e) when (e is SocketException or IOException) { Log.Debug($"admin client: {e.Message}"); }
            }
        }
    }

    private void Answer(Socket client)
    {
        client.ReceiveTimeout = 2000;
        using var stream = new NetworkStream(client);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        string? line = reader.ReadLine();
        AdminReply reply;
        try
        {
            var request = line is null ? null : JsonSerializer.Deserialize(line, AdminJson.Default.AdminRequest);
            reply = request?.Command switch
            {
                "stats" => new AdminReply(true, Stats: new StatsReply(_stats(), GcCounters.Sample(), _workers())),
                null => new AdminReply(false, "empty request"),
                var other => new AdminReply(false, $"unknown command '{other}'"),
            };
        }
        catch (JsonException e)
        {
            reply = new AdminReply(false, $"malformed request: {e.Message}");
        }
        byte[] bytes = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(reply, AdminJson.Default.AdminReply) + "\n");
        stream.Write(bytes);
    }

    public void Dispose()
    {
        _listener.Dispose();
        _thread.Join(TimeSpan.FromSeconds(2));
        try { File.Delete(Path); } catch (IOException) { }
    }
}
