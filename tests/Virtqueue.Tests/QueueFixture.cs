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

    protected QueueFixture() => Driver = new GuestDriver(Ram, RingSize);

    protected GuestDriver Driver { get; private set; }

    /// <summary>Replaces the driver with one whose avail and used indexes start at <paramref name="index"/> (before any queue is made).</summary>
    protected void StartAt(ushort index) => Driver = new GuestDriver(Ram, RingSize, index);

    protected SplitQueue Queue(QueueFeatures? features = null) => Own(Driver.CreateQueue(features ?? Plain));

    /// <summary>A queue whose Call is a real eventfd the test can read.</summary>
    protected SplitQueue QueueWithCall(QueueFeatures features, out EventFd call)
    {
        var q = Queue(features);
        call = EventFd.Create();
        q.Call = call;
        return q;
    }

    /// <summary>Disposes <paramref name="disposable"/> with the fixture, before the guest RAM goes.</summary>
    protected T Own<T>(T disposable) where T : IDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }

    protected Span<Frame> Frames(int count) => Buffers.Frames.AsSpan(0, count);

    public void Dispose()
    {
        for (int i = _owned.Count - 1; i >= 0; i--) _owned[i].Dispose();
        Buffers.Dispose();
        Ram.Dispose();
    }
}
