using VirtioForwarder.Platform;
using VirtioForwarder.Virtqueue.Tests.Support;

namespace VirtioForwarder.Virtqueue.Tests.Packed;

/// <summary>Guest RAM, a driver for one packed ring of <see cref="QueueFixture.RingSize"/> and frame buffers.</summary>
public abstract class PackedFixture : QueueFixture
{
    protected PackedFixture() => Packed = new PackedDriver(Ram, RingSize);

    protected PackedDriver Packed { get; }

    protected PackedQueue PackedQueue(QueueFeatures? features = null) => Own(Packed.CreateQueue(features ?? Plain));

    protected PackedQueue PackedQueueWithCall(QueueFeatures features, out EventFd call)
    {
        var q = PackedQueue(features);
        call = Own(EventFd.Create());
        q.Call = call;
        return q;
    }

    /// <summary>A 12-byte header with no offloads and the given num_buffers.</summary>
    protected static byte[] HeaderWith(ushort numBuffers) => [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte)numBuffers, (byte)(numBuffers >> 8)];
}
