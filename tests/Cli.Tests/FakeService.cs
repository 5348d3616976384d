using System.Collections.Concurrent;
using VirtioForwarder.Control.Zmq;

namespace VirtioForwarder.Cli.Tests;

/// <summary>
/// A stand-in for one of the daemon's ZeroMQ services: a real libzmq REP socket on an ipc://
/// endpoint in a temporary directory, answering each request with <c>answer</c> on a thread of
/// its own and recording the requests it got.
/// </summary>
internal sealed class FakeService : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("vfwdctl-test-").FullName;
    private readonly Func<byte[], byte[]> _answer;
    private readonly Thread _thread;
    private readonly ZmqReplySocket _socket;
    private volatile bool _stop;

    public FakeService(Func<byte[], byte[]> answer)
    {
        _answer = answer;
        Endpoint = $"ipc://{_directory}/service";
        _socket = new ZmqReplySocket(Endpoint);
        _thread = new Thread(Serve) { IsBackground = true, Name = "fake service" };
        _thread.Start();
    }

    public string Endpoint { get; }

    public ConcurrentQueue<byte[]> Requests { get; } = new();

    public IEnumerable<string> RequestsHex => Requests.Select(Convert.ToHexStringLower);

    public void Dispose()
    {
        _stop = true;
        _thread.Join();
        _socket.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private void Serve()
    {
        while (!_stop)
        {
            if (!_socket.TryReceive(out byte[] request))
                continue;
            Requests.Enqueue(request);
            _socket.Send(_answer(request));
        }
    }
}
