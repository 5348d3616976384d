using VirtioForwarder.Ports;

namespace VirtioForwarder.Relay;

/// <summary>
/// Moves the kernel's receive drops of a relay's port (<see cref="IPort.RxMissed"/>, per port
/// queue) into the relay's VF→VM counters as <see cref="DropReason.RxMissed"/> against that queue,
/// so they accumulate from daemon start as the other counters do and outlive the port. Asking
/// the kernel is a system call per queue, so the worker never does it: the stats readers do,
/// before they read the counters, and a timer on the control loop does every second, which keeps
/// AF_PACKET's 32-bit tp_drops far from wrapping; the port is read a last time before it closes.
/// One lock serialises those callers, the only writers of the RxMissed counts.
/// </summary>
internal sealed class PortRxMissed(DirectionCounters counters)
{
    private readonly Lock _gate = new();
    private IPort[] _queues = [];
    private long[] _seen = [];   // per port queue, its RxMissed as last moved into the counters

    /// <summary>Starts following <paramref name="port"/>: its queues, or the port itself if it has one queue.</summary>
    public void Attach(IPort port)
    {
        lock (_gate)
        {
            _queues = port.Queues.Count > 0 ? [.. port.Queues] : [port];
            _seen = new long[_queues.Length];
        }
    }

    /// <summary>Takes the port's last drops and stops following it; call before the port closes.</summary>
    public void Detach()
    {
        lock (_gate)
        {
            Collect();
            _queues = [];
            _seen = [];
        }
    }

    /// <summary>Moves what the port's queues dropped since the last call into the counters.</summary>
    public void Collect()
    {
        lock (_gate)
        {
            for (int i = 0; i < _queues.Length; i++)
            {
                long missed = _queues[i].RxMissed;
                if (missed == _seen[i]) continue;
                counters.AddDrops(DropReason.RxMissed, i % counters.QueuePairs, missed - _seen[i]);
                _seen[i] = missed;
            }
        }
    }
}
