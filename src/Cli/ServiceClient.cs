using Google.Protobuf;
using VirtioForwarder.Control.Zmq;

namespace VirtioForwarder.Cli;

/// <summary>
/// One REQ socket to one of the daemon's ZeroMQ services, set up like upstream's clients
/// (docs/control-contract.md §7.0): LINGER 0 and a reply timeout, 2000 ms unless the caller
/// needs more. One request at a time.
/// </summary>
internal sealed class ServiceClient : IDisposable
{
    public const int DefaultTimeoutMilliseconds = 2000;

    private readonly int _timeoutMilliseconds;
    private ZmqRequestSocket _socket;

    public ServiceClient(string endpoint, int timeoutMilliseconds = DefaultTimeoutMilliseconds)
    {
        Endpoint = endpoint;
        _timeoutMilliseconds = timeoutMilliseconds;
        _socket = Open();
    }

    public string Endpoint { get; }

    /// <summary>
    /// Sends <paramref name="request"/> and parses the reply, which must carry every required
    /// field (upstream's clients assert IsInitialized).
    /// </summary>
    /// <exception cref="ServiceTimeoutException">No reply within the timeout; call <see cref="Reconnect"/> before the next request.</exception>
    public TReply Request<TReply>(IMessage request, MessageParser<TReply> parser) where TReply : IMessage<TReply>
    {
        _socket.Send(request.ToByteArray());
        if (!_socket.TryReceive(out byte[] frame))
            throw new ServiceTimeoutException(Endpoint, _timeoutMilliseconds);
        TReply reply;
        try
        {
            reply = parser.ParseFrom(frame);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new CliException($"malformed reply from {Endpoint}: {e.Message}");
        }
        // Google.Protobuf parses a proto2 message that lacks required fields without complaint.
        if (!reply.IsInitialized())
            throw new CliException($"malformed reply from {Endpoint}: required fields are missing");
        return reply;
    }

    /// <summary>
    /// A REQ socket whose request went unanswered cannot send again; a fresh one can, which is
    /// how upstream's scheduler reconnects (§7.5).
    /// </summary>
    public void Reconnect()
    {
        _socket.Dispose();
        _socket = Open();
    }

    public void Dispose() => _socket.Dispose();

    private ZmqRequestSocket Open()
    {
        try
        {
            return new ZmqRequestSocket(Endpoint, _timeoutMilliseconds);
        }
        catch (ZmqException e)
        {
            throw new CliException($"cannot connect to {Endpoint}: {e.Message}");
        }
    }
}
