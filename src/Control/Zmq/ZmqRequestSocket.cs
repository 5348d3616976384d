namespace VirtioForwarder.Control.Zmq;

/// <summary>A client's REQ socket connected to a control service; Send and receive must alternate.</summary>
public sealed class ZmqRequestSocket(string endpoint, int timeoutMilliseconds)
    : ZmqSocket(LibZmq.ZMQ_REQ, timeoutMilliseconds, socket => socket.Connect(endpoint));
