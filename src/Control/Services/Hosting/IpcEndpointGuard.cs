using System.Net.Sockets;

namespace VirtioForwarder.Control.Services.Hosting;

/// <summary>
/// libzmq binds an ipc:// endpoint by unlinking whatever file is at its path, so a second daemon
/// would silently take a live daemon's endpoint away. Before binding, this checks whether some
/// process still accepts connections there.
/// </summary>
internal static class IpcEndpointGuard
{
    private const string Scheme = "ipc://";

    /// <summary>Throws when <paramref name="endpoint"/> is an ipc:// path a live listener answers on.</summary>
    public static void ThrowIfInUse(string endpoint)
    {
        if (!endpoint.StartsWith(Scheme, StringComparison.Ordinal)) return;
        string path = endpoint[Scheme.Length..];
        // '@' names live in the abstract namespace, where a taken name makes the bind itself fail.
        if (path.StartsWith('@') || !File.Exists(path)) return;
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
        }
        catch (Exception e) when (e is SocketException or ArgumentException)
        {
            return; // a stale file (or a path too long to probe): libzmq may replace it
        }
        throw new ServiceStartException(endpoint, "another process is serving it");
    }
}
