using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace VirtioForwarder.Control.Admin;

/// <summary>vfwdctl's side of the admin channel.</summary>
public static class AdminClient
{
    /// <summary>Sends one request and returns the raw JSON reply line.</summary>
    public static string Request(string path, string command)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.ReceiveTimeout = 5000;
        socket.Connect(new UnixDomainSocketEndPoint(path));
        using var stream = new NetworkStream(socket);
        stream.Write(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new AdminRequest(command), AdminJson.Default.AdminRequest) + "\n"));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadLine() ?? throw new IOException("the daemon closed the admin connection without a reply");
    }

    public static AdminReply Parse(string json) =>
        JsonSerializer.Deserialize(json, AdminJson.Default.AdminReply) ?? throw new JsonException("empty reply");
}
