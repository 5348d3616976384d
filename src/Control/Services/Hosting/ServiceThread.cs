using System.Runtime.ExceptionServices;
using VirtioForwarder.Control.Zmq;
using VirtioForwarder.Platform;

namespace VirtioForwarder.Control.Services.Hosting;

/// <summary>
/// One service on its own thread with its own zmq context and REP socket, answering one request
/// at a time (docs/control-contract.md §1). The socket lives and dies on that thread, as zmq
/// sockets must.
/// </summary>
internal sealed class ServiceThread : IDisposable
{
    /// <summary>Well above what any client sends (under 100 B), and above upstream's largest request buffer.</summary>
    public const long MaxRequestBytes = 64 * 1024;

    private readonly string _endpoint;
    private readonly IControlService _service;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Thread _thread;

    public ServiceThread(string endpoint, IControlService service)
    {
        _endpoint = endpoint;
        _service = service;
        _thread = new Thread(Run) { Name = $"zmq {service.Name}", IsBackground = true };
        _thread.Start();
    }

    public string Endpoint => _endpoint;

    /// <summary>Returns once bound; throws <see cref="ServiceStartException"/> if the bind failed or took longer than <paramref name="timeout"/>.</summary>
    public void WaitReady(TimeSpan timeout)
    {
        try
        {
            if (_ready.Task.Wait(timeout)) return;
        }
        catch (AggregateException e) when (e.InnerException is ServiceStartException failure)
        {
            ExceptionDispatchInfo.Throw(failure);
        }
        throw new ServiceStartException(_endpoint, $"not ready within {timeout.TotalSeconds:0} s");
    }

    /// <summary>Asks the thread to stop; it notices within the receive timeout.</summary>
    public void RequestStop() => _stop.Cancel();

    public void Dispose()
    {
        RequestStop();
        // Receive timeout, then LINGER for a last reply: about 2 s at worst.
        if (_thread.Join(TimeSpan.FromSeconds(5)))
            _stop.Dispose();
        else
            Log.Warning($"ZeroMQ {_service.Name} service on {_endpoint} did not stop in time");
    }

    private void Run()
    {
        ZmqReplySocket? socket;
        try
        {
            socket = Open();
        }
        catch (Exception e) when (e is ZmqException or ServiceStartException)
        {
            _ready.SetException(e as ServiceStartException ?? new ServiceStartException(_endpoint, e.Message));
            return;
        }
        Log.Info($"ZeroMQ {_service.Name} service listening on {_endpoint}");
        _ready.SetResult();
        while (socket is not null)
        {
            using (socket) Serve(socket);
            socket = Reopen();
        }
    }

    private ZmqReplySocket Open()
    {
        IpcEndpointGuard.ThrowIfInUse(_endpoint);
        return new ZmqReplySocket(_endpoint, MaxRequestBytes);
    }

    /// <summary>After a socket error, a fresh socket once a second until one binds or the service stops.</summary>
    private ZmqReplySocket? Reopen()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                return Open();
            }
            catch (Exception e) when (e is ZmqException or ServiceStartException)
            {
                Log.Error($"ZeroMQ {_service.Name} service: {e.Message}");
                _stop.Token.WaitHandle.WaitOne(ZmqReplySocket.TimeoutMilliseconds);
            }
        }
        return null;
    }

    /// <summary>Answers requests until asked to stop, or until the socket fails.</summary>
    private void Serve(ZmqReplySocket socket)
    {
        try
        {
            while (!_stop.IsCancellationRequested)
                if (socket.TryReceive(out byte[] request))
                    socket.Send(Answer(request));
        }
        catch (ZmqException e)
        {
            // A reply that could not go out leaves REP unable to receive (EFSM): start afresh.
            Log.Warning($"ZeroMQ {_service.Name} service: {e.Message}; reopening {_endpoint}");
        }
    }

    /// <summary>Every request gets exactly one reply: a handler that fails answers as for garbage.</summary>
    private byte[] Answer(byte[] request)
    {
        try
        {
            return _service.Handle(request, _stop.Token);
        }
        catch (Exception e)
        {
            Log.Error($"ZeroMQ {_service.Name} service: request failed: {e}");
            return _service.UndecodableReply;
        }
    }
}
