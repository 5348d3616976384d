using VirtioForwarder.Protocol;

namespace VirtioForwarder.Protocol.Tests;

/// <summary>Runs the backend side of a socketpair on its own thread until the peer closes or a message is refused.</summary>
internal sealed class BackendThread : IDisposable
{
    private readonly Thread _thread;
    private readonly Connection _connection;

    public BackendThread(int fd, RecordingDevice device)
    {
        _connection = new Connection(fd);
        var dispatcher = new RequestDispatcher(device, _connection);
        var message = new ReceivedMessage();
        _thread = new Thread(() =>
        {
            try
            {
                while (_connection.Receive(message)) dispatcher.Dispatch(message);
            }
            catch (ProtocolException e)
            {
                Failure = e;
                _connection.Dispose(); // the backend ends the connection, as the daemon does
            }
        }) { IsBackground = true };
        _thread.Start();
    }

    public ProtocolException? Failure { get; private set; }

    public void Join() => Assert.True(_thread.Join(TimeSpan.FromSeconds(5)), "backend thread did not finish");

    public void Dispose()
    {
        _connection.Dispose();
        _thread.Join(TimeSpan.FromSeconds(5));
    }
}
