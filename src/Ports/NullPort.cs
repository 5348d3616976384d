using VirtioForwarder.Platform;

namespace VirtioForwarder.Ports;

/// <summary>
/// <c>null</c>: a sink that counts and discards what it is sent; <c>null:&lt;size&gt;</c> also
/// sources an endless stream of one UDP frame (see <see cref="SourceFrameTemplate"/>). Both ways
/// the bytes really move: the relay copies into the buffers this port lends, and each received
/// frame is a fresh copy of the template, so the null port costs what a NIC's DMA would.
/// <c>null:&lt;size&gt;/&lt;queues&gt;</c> has that many <see cref="Queues"/>, each a null port of its
/// own that sources the same frame, as DPDK's net_null does on each of its queues.
/// </summary>
public sealed unsafe class NullPort : IPort
{
    private readonly FrameBuffers _tx;
    private readonly FrameBuffers? _rx;
    private readonly byte[] _template;
    private readonly NullPort[] _queues;
    private long _txPackets, _txBytes;

    internal NullPort(PortSpec spec, int frameCapacity)
    {
        if (!PortSpec.IsQueueCount(spec.Queues))
            throw new ArgumentException(PortSpec.Describe(spec.Text, PortSpec.QueueCountOutOfRange(spec.Queues.ToString())), nameof(spec));
        Name = spec.Text;
        int size = spec.SourceFrameSize;
        if (size != 0 && !PortSpec.IsSourceFrameSize(size))
            throw new ArgumentException(PortSpec.Describe(spec.Text, PortSpec.SourceFrameSizeOutOfRange(size.ToString())), nameof(spec));
        if (size > frameCapacity)
            throw new ArgumentException(PortSpec.Describe(spec.Text, $"frame size {size} exceeds the frame capacity {frameCapacity}"), nameof(spec));
        _template = size == 0 ? [] : SourceFrameTemplate.Build(size);
        _tx = new FrameBuffers(frameCapacity);
        if (size != 0) _rx = new FrameBuffers(frameCapacity);
        _queues = spec.Queues == 1 ? [] : [.. Enumerable.Range(0, spec.Queues).Select(_ => new NullPort(spec with { Queues = 1 }, frameCapacity))];
    }

    public IReadOnlyList<IPort> Queues => _queues;

    public string Name { get; }

    /// <summary>Size of every frame Receive returns; 0 for a sink only.</summary>
    public int SourceFrameSize => _template.Length;

    // Written by the one transmitting thread only; 64-bit reads from other threads are not torn on x86-64.
    public long TxPackets => _txPackets + _queues.Sum(q => q._txPackets);

    public long TxBytes => _txBytes + _queues.Sum(q => q._txBytes);

    public bool LinkUp => true;

    /// <summary>-1: a source is always ready, and a sink never has anything.</summary>
    public int ReadinessFd => -1;

    public int Receive(Span<Frame> frames)
    {
        if (_rx is null) return 0;
        int n = _rx.Lend(frames);
        for (int i = 0; i < n; i++)
        {
            _template.CopyTo(new Span<byte>(frames[i].Data, _template.Length));
            frames[i].Length = _template.Length;
        }
        return n;
    }

    public int AcquireTx(Span<Frame> frames) => _tx.Lend(frames);

    public int Transmit(Span<Frame> frames, int count)
    {
        long bytes = 0;
        foreach (ref readonly var frame in frames[..count]) bytes += frame.Length;
        _txPackets += count;
        _txBytes += bytes;
        return count;
    }

    public void Dispose()
    {
        foreach (var q in _queues) q.Dispose();
        _tx.Dispose();
        _rx?.Dispose();
    }
}
