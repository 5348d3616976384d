using System.Runtime.InteropServices;

namespace VirtioForwarder.Cli;

/// <summary>
/// SIGINT (Ctrl-C) and SIGTERM turned into a request to stop at the next loop, for the commands
/// that run until interrupted (docs/control-contract.md §7.5). SIGHUP is ignored, as upstream's
/// scheduler does.
/// </summary>
internal sealed class StopSignal : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly PosixSignalRegistration[] _registrations;

    public StopSignal()
    {
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle),
            PosixSignalRegistration.Create(PosixSignal.SIGHUP, context => context.Cancel = true),
        ];
    }

    public bool Requested => _stop.IsCancellationRequested;

    /// <summary>Asks for a stop as a signal would.</summary>
    public void Request() => _stop.Cancel();

    /// <summary>Sleeps for <paramref name="interval"/>; true if a stop was requested meanwhile.</summary>
    public bool Wait(TimeSpan interval) => _stop.Token.WaitHandle.WaitOne(interval);

    public void Dispose()
    {
        foreach (var registration in _registrations)
            registration.Dispose();
        _stop.Dispose();
    }

    private void Handle(PosixSignalContext context)
    {
        context.Cancel = true;
        Request();
    }
}
