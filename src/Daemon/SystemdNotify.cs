using System.Net.Sockets;
using System.Text;
using VirtioForwarder.Platform;

namespace VirtioForwarder.Daemon;

/// <summary>
/// The sd_notify(3) protocol, which a Type=notify unit (packaging/systemd/virtio-forwarder.service)
/// waits for: one datagram of "NAME=value" lines to the AF_UNIX socket named by $NOTIFY_SOCKET.
/// A name starting with '@' is in the abstract namespace. Without $NOTIFY_SOCKET (not started by
/// systemd) nothing is sent; a failed send is logged and never stops the daemon.
/// </summary>
public static class SystemdNotify
{
    public const string SocketVariable = "NOTIFY_SOCKET";

    /// <summary>Start-up is complete: sockets and services are up.</summary>
    public const string Ready = "READY=1";

    /// <summary>Shutdown has begun.</summary>
    public const string Stopping = "STOPPING=1";

    /// <summary>Sends <paramref name="state"/> to $NOTIFY_SOCKET, if it is set.</summary>
    public static void Send(string state) => Send(state, Environment.GetEnvironmentVariable(SocketVariable));

    /// <summary>Sends <paramref name="state"/> to <paramref name="socketName"/>; false when nothing was sent.</summary>
    public static bool Send(string state, string? socketName)
    {
        if (string.IsNullOrEmpty(socketName)) return false;
        if (socketName[0] is not ('/' or '@'))
        {
            // systemd may also hand out vsock: addresses (to virtual machines); we run on the host.
            Log.Warning($"{SocketVariable}={socketName}: only unix socket paths and @abstract names are supported");
            return false;
        }
        // .NET marks an abstract name by a leading NUL, where systemd writes '@'.
        string path = socketName[0] == '@' ? "\0" + socketName[1..] : socketName;
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            socket.SendTo(Encoding.UTF8.GetBytes(state), new UnixDomainSocketEndPoint(path));
            return true;
        }
        catch (Exception e) when (e is SocketException or ArgumentException)
        {
            Log.Warning($"cannot notify systemd ({state}) on {socketName}: {e.Message}");
            return false;
        }
    }
}
