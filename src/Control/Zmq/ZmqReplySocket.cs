namespace VirtioForwarder.Control.Zmq;

/// <summary>
/// The daemon's side of a control service: a REP socket bound to <c>endpoint</c> with the C
/// daemon's options (docs/control-contract.md §1). Receive and Send must alternate.
/// </summary>
/// <param name="maxMessageSize">ZMQ_MAXMSGSIZE: a peer sending a larger frame is disconnected by
/// libzmq (§1); null leaves libzmq's default, no limit.</param>
public sealed class ZmqReplySocket(string endpoint, long? maxMessageSize = null)
    : ZmqSocket(LibZmq.ZMQ_REP, TimeoutMilliseconds, socket =>
    {
        if (maxMessageSize is long limit)
            socket.SetOption(LibZmq.ZMQ_MAXMSGSIZE, limit);
        socket.Bind(endpoint);
    })
{
    // LINGER, SNDTIMEO and RCVTIMEO as set by the C daemon (§1).
    public const int TimeoutMilliseconds = 1000;
}
