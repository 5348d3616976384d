namespace VirtioForwarder.Ports;

/// <summary>
/// A socket's <see cref="IPort.RxMissed"/>: the kernel's count of frames it dropped for a full
/// receive ring, asked for at each read through <paramref name="ask"/> (given the count so far,
/// it returns the new one). Readers on any thread are serialised, and none asks after
/// <see cref="Close"/>, which the port calls before it closes the socket, so no read ever reaches
/// a closed (or reused) descriptor.
/// </summary>
internal sealed class RxMissedCount(Func<long, long> ask)
{
    private readonly Lock _gate = new();
    private long _count;
    private bool _closed;

    public long Read()
    {
        lock (_gate)
        {
            if (!_closed) _count = ask(_count);
            return _count;
        }
    }

    /// <summary>Waits for a read in progress and keeps the count as it is from then on.</summary>
    public void Close()
    {
        lock (_gate) _closed = true;
    }
}
