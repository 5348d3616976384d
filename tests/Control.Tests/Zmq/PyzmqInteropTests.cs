using System.Diagnostics;
using Google.Protobuf;
using VirtioForwarder.Control.Protobuf;
using VirtioForwarder.Control.Tests.Protobuf;
using VirtioForwarder.Control.Zmq;

namespace VirtioForwarder.Control.Tests.Zmq;

// The upstream clients are pyzmq programs (docs/control-contract.md §7), so interop with a real
// pyzmq REQ socket over ipc:// is what matters (§1, C# caveat).
public sealed class PyzmqInteropTests : IDisposable
{
    // Debian's interpreter, where python3-zmq is installed (scripts/lib/setup.sh); a python3
    // earlier on PATH (pyenv) need not have it.
    private const string Python = "/usr/bin/python3";

    // Sends an empty frame, then the port-control add vector (§2.5), and prints each reply in hex.
    private const string Client = """
        import sys, zmq
        socket = zmq.Context().socket(zmq.REQ)
        socket.setsockopt(zmq.RCVTIMEO, 5000)
        socket.setsockopt(zmq.LINGER, 0)
        socket.connect(sys.argv[1])
        for request in (b"", bytes.fromhex("08 00 12 08 08 00 10 05 18 08 20 02 18 01 20 00")):
            socket.send(request)
            print(socket.recv().hex(" "))
        """;

    private readonly IpcEndpoint _endpoint = new();

    public void Dispose() => _endpoint.Dispose();

    [Fact]
    public void A_pyzmq_client_gets_answers_to_an_empty_and_a_port_control_request()
    {
        using var server = new ZmqReplySocket(_endpoint.Name);
        using var client = Process.Start(new ProcessStartInfo(Python, ["-c", Client, _endpoint.Name])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;

        Assert.Empty(Receive(server, client));
        server.Send(new StatsResponse { Status = StatsResponse.Types.Status.Ok }.ToByteArray());
        var add = PortControlRequest.Parser.ParseFrom(Receive(server, client));
        Assert.Equal(1u, add.VirtioId);
        server.Send(new PortControlResponse { Status = PortControlResponse.Types.Status.Ok }.ToByteArray());

        string stdout = client.StandardOutput.ReadToEnd();
        string stderr = client.StandardError.ReadToEnd();
        client.WaitForExit();
        Assert.True(client.ExitCode == 0, $"python client failed (is python3-zmq installed?): {stderr}");
        Assert.Equal(["08 00", "20 01"], stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    // The interpreter takes a moment to start, so allow a few receive timeouts.
    private static byte[] Receive(ZmqReplySocket server, Process client)
    {
        for (int attempt = 0; attempt < 10 && !client.HasExited; attempt++)
            if (server.TryReceive(out byte[] request))
                return request;
        throw new InvalidOperationException(
            $"no request from the python client (is python3-zmq installed?): {client.StandardError.ReadToEnd()}");
    }
}
