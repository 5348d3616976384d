using VirtioForwarder.Platform;
using VirtioForwarder.Virtqueue.Tests.Support;

namespace VirtioForwarder.Virtqueue.Tests;

/// <summary>Guest RAM, a driver for one ring of <see cref="RingSize"/> and frame buffers; queues are made per test.</summary>
public abstract class QueueFixture : IDisposable
{
    protected const ushort RingSize = 16;
    protected const int Header = 12;
    protected const int FrameCapacity = 9216;
    protected static readonly QueueFeatures Plain = new(EventIdx: false, IndirectDesc: false, Mergeable: false, NetHeaderLength: Header, LogAll: false);

    protected readonly GuestRam Ram = new();
    protected readonly FrameBuffers Buffers = new(8, FrameCapacity);
    private readonly List<IDisposable> _owned = [];

    protected QueueFixture(ushort startIndex = 0) => Driver = new GuestDriver(Ram, RingSize, startIndex);

    protected GuestDriver Driver { get; }

    protected SplitQueue Queue(QueueFeatures? features = null)
    {
        var q = Driver.CreateQueue(features ?? Plain);
        _owned.Add(q);
        return q;
    }

    /// <summary>A queue whose Call is a real eventfd the test can read.</summary>
    protected SplitQueue QueueWithCall(QueueFeatures features, out EventFd call)
    {
        var q = Queue(features);
        call = EventFd.Create();
        q.Call = call;
        return q;
    }

    protected Span<Frame> Frames(int count) => Buffers.Frames.AsSpan(0, count);

    public void Dispose()
    {
        foreach (var o in _owned) o.Dispose();
        Buffers.Dispose();
        Ram.Dispose();
    }
}
