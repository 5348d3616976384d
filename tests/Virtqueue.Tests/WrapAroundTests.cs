using VirtioForwarder.Virtqueue.Tests.Support;

namespace VirtioForwarder.Virtqueue.Tests;

/// <summary>Indexes are free-running 16-bit counters (§2.7.6, §2.7.8): bursts across 65535 → 0.</summary>
public sealed class WrapAroundTests : QueueFixture
{
    public WrapAroundTests() => StartAt(65534);

    [Fact]
    public void Transmit_across_the_wrap()
    {
        var q = Queue();
        for (int i = 0; i < 4; i++) Driver.PostTx(Header, Patterns.Frame(50 + i, seed: i));
        Assert.Equal(2, Driver.AvailIdx);
        Assert.Equal(4, q.AvailableEntries);

        Assert.Equal(4, q.Dequeue(Frames(8)));
        Assert.Equal(2, q.NextAvail);
        Assert.Equal(2, Driver.UsedIdx);
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(Patterns.Frame(50 + i, seed: i), Buffers.Content(i));
            Assert.Equal(((uint)i, 0u), Driver.Used((ushort)(65534 + i)));
        }
    }

    [Fact]
    public void A_merged_frame_across_the_wrap()
    {
        var q = Queue(Plain with { Mergeable = true });
        for (int i = 0; i < 3; i++) Driver.PostRx(1024);
        Buffers.Set(0, Patterns.Frame(2500));

        Assert.Equal(1, q.Enqueue(Frames(1)));
        Assert.Equal(1, Driver.UsedIdx);
        Assert.Equal((0u, 1024u), Driver.Used(65534));
        Assert.Equal((1u, 1024u), Driver.Used(65535));
        Assert.Equal((2u, (uint)(Header + 2500 - 2048)), Driver.Used(0));
    }

    [Fact]
    public void A_rollback_across_the_wrap_restores_the_indexes()
    {
        var q = Queue(Plain with { Mergeable = true });
        for (int i = 0; i < 2; i++) Driver.PostRx(1024);
        Buffers.Set(0, Patterns.Frame(5000));

        Assert.Equal(0, q.Enqueue(Frames(1)));
        Assert.Equal(65534, q.NextAvail);
        Assert.Equal(65534, Driver.UsedIdx);
        Assert.Equal(2, q.AvailableEntries);
    }
}
