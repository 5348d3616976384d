using VirtioForwarder.Ports;

namespace VirtioForwarder.Relay;

/// <summary>
/// The per-queue ports (<see cref="IPort.Queues"/>) of the port a forwarder last saw, read again
/// only when the port changes (a port's queues are fixed when it opens), so a pass allocates nothing.
/// Used by one worker thread at a time.
/// </summary>
internal sealed class PortQueues
{
    private IPort? _port;
    private IPort[] _queues = [];

    /// <summary>The queues of <paramref name="port"/>; empty for a single-queue port.</summary>
    public IPort[] Of(IPort port)
    {
        if (!ReferenceEquals(port, _port))
        {
            _queues = [.. port.Queues];
            _port = port;
        }
        return _queues;
    }
}
