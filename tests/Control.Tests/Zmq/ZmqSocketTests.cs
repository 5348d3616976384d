using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using VirtioForwarder.Control.Tests.Protobuf;
using VirtioForwarder.Control.Zmq;

namespace VirtioForwarder.Control.Tests.Zmq;

public sealed class ZmqSocketTests : IDisposable
{
    private readonly IpcEndpoint _endpoint = new();

    public void Dispose() => _endpoint.Dispose();

    // The config client's empty ConfigRequest is a 0-byte frame and must be answered (§1).
    [Fact]
    public void An_empty_frame_is_received_and_answered()
    {
        using var server = new ZmqReplySocket(_endpoint.Name);
        using var client = new ZmqRequestSocket(_endpoint.Name, 5000);

        client.Send([]);
        Assert.True(server.TryReceive(out byte[] request));
        Assert.Empty(request);
        server.Send(WireBytes.Parse("08 00"));

        Assert.True(client.TryReceive(out byte[] reply));
        Assert.Equal(WireBytes.Parse("08 00"), reply);
    }

    [Fact]
    public void A_protobuf_request_is_received_whole_and_answered()
    {
        byte[] portControlAdd = WireBytes.Parse("08 00 12 08 08 00 10 05 18 08 20 02 18 01 20 00");
        using var server = new ZmqReplySocket(_endpoint.Name);
        using var client = new ZmqRequestSocket(_endpoint.Name, 5000);

        client.Send(portControlAdd);
        Assert.True(server.TryReceive(out byte[] request));
        Assert.Equal(portControlAdd, request);
        server.Send(WireBytes.Parse("20 01"));

        Assert.True(client.TryReceive(out byte[] reply));
        Assert.Equal(WireBytes.Parse("20 01"), reply);
    }

    [Fact]
    public void Receive_without_a_request_times_out_after_a_second()
    {
        using var server = new ZmqReplySocket(_endpoint.Name);
        var clock = Stopwatch.StartNew();

        Assert.False(server.TryReceive(out byte[] request));

        Assert.Empty(request);
        Assert.InRange(clock.ElapsedMilliseconds, ZmqReplySocket.TimeoutMilliseconds - 100, 5000);
    }

    // MAXMSGSIZE makes libzmq drop the peer; the request never reaches the server (§1).
    [Fact]
    public void A_frame_over_the_size_limit_is_never_delivered()
    {
        using var server = new ZmqReplySocket(_endpoint.Name, maxMessageSize: 16);
        using var client = new ZmqRequestSocket(_endpoint.Name, 5000);

        client.Send(new byte[17]);

        Assert.False(server.TryReceive(out _));
    }

    [Fact]
    public void Binding_a_taken_tcp_endpoint_names_the_endpoint_and_the_error()
    {
        string endpoint = $"tcp://127.0.0.1:{FreeTcpPort()}";
        using var first = new ZmqReplySocket(endpoint);

        var error = Assert.Throws<ZmqException>(() => new ZmqReplySocket(endpoint));

        Assert.Equal($"zmq_bind({endpoint}) failed: Address already in use (errno {error.Errno})", error.Message);
    }

    // libzmq unlinks an existing ipc socket file before binding, so a second bind silently takes
    // the endpoint over instead of failing: a daemon cannot rely on bind to detect a running twin.
    [Fact]
    public void A_second_ipc_bind_takes_the_endpoint_over()
    {
        using var first = new ZmqReplySocket(_endpoint.Name);
        using var second = new ZmqReplySocket(_endpoint.Name);
        using var client = new ZmqRequestSocket(_endpoint.Name, 5000);

        client.Send([]);

        Assert.True(second.TryReceive(out _));
    }

    private static int FreeTcpPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
