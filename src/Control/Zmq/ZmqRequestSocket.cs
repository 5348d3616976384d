namespace VirtioForwarder.Control.Zmq;

/// <summary>
/// A client's REQ socket connected to a control service; Send and receive must alternate. Like
/// upstream's clients (docs/control-contract.md §7.0) it does not linger: an unanswered request
/// is dropped on Dispose instead of holding the process up.
/// </summary>
public sealed class ZmqRequestSocket(string endpoint, int timeoutMilliseconds)
    : ZmqSocket(LibZmq.ZMQ_REQ, timeoutMilliseconds, socket =>
    {
        socket.SetOption(LibZmq.ZMQ_LINGER, 0);
        socket.Connect(endpoint);
    });
