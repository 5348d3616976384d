namespace VirtioForwarder.Device;

/// <summary>Who creates the socket file: the daemon listens (server) or connects to the frontend's (client, -i).</summary>
public enum SocketMode { Server, Client }

/// <summary>Owner and group given to server-mode socket files; null keeps the process's own.</summary>
public sealed record SocketOwnership(int? Uid, int? Gid)
{
    public static readonly SocketOwnership Inherit = new(null, null);
}
